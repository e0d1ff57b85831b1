-- radcohort study database, schema version 3: signatures and their scores.
--
-- A signature is stored as the JSON document it was trained or imported as,
-- keyed by its content id (see `signature::Signature::id`), so a score always
-- names exactly the model and frozen cutoff that produced it.

CREATE TABLE signature (
    id           TEXT PRIMARY KEY NOT NULL,   -- content hash of the document
    name         TEXT NOT NULL,
    model        TEXT NOT NULL,
    document     TEXT NOT NULL,               -- the signature JSON
    stored_at    TEXT NOT NULL,
    stored_by    TEXT NOT NULL
) STRICT;

-- One score per signature and patient; a patient the signature could not
-- score has no row. Rescoring replaces a signature's rows in one transaction.
CREATE TABLE signature_score (
    signature_id  TEXT NOT NULL REFERENCES signature (id) ON DELETE CASCADE,
    patient_id    INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    score         REAL NOT NULL,
    probability   REAL,                       -- logistic and forest models
    risk_group    TEXT CHECK (risk_group IN ('high', 'low')),
    scored_at     TEXT NOT NULL,
    PRIMARY KEY (signature_id, patient_id)
) STRICT, WITHOUT ROWID;
