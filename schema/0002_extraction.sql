-- radcohort study database, schema version 2: feature-extraction runs and
-- their values.
--
-- A run is one parameter set (identified by the hash of its canonical form)
-- applied to one kind of image series; its cases are the patients
-- extracted, each with the checksums of the files it read, and its values
-- are stored tidy: one row per case and feature.

CREATE TABLE extraction_run (
    id             INTEGER PRIMARY KEY,
    params_hash    TEXT NOT NULL,
    params         TEXT NOT NULL,   -- canonical form, which the hash is of
    params_source  TEXT NOT NULL,   -- the parameter file as given
    mode           TEXT NOT NULL,
    engine         TEXT NOT NULL,   -- e.g. 'radcohort 0.1.0'
    series_kind    TEXT NOT NULL CHECK (series_kind IN ('dwi', 'adc', 'other')),
    b_value        REAL,
    selection      TEXT NOT NULL,   -- 'dwi b=800', 'adc': what the run reads
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    UNIQUE (params_hash, selection)
) STRICT;

CREATE TABLE extraction_case (
    run_id          INTEGER NOT NULL REFERENCES extraction_run (id) ON DELETE CASCADE,
    patient_id      INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    image_series_id INTEGER REFERENCES imaging_series (id) ON DELETE SET NULL,
    mask_series_id  INTEGER REFERENCES imaging_series (id) ON DELETE SET NULL,
    image_checksum  TEXT,
    mask_checksum   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error           TEXT,
    seconds         REAL,
    feature_count   INTEGER NOT NULL DEFAULT 0,
    diagnostics     TEXT,           -- JSON object of diagnostics_* entries
    finished_at     TEXT NOT NULL,
    PRIMARY KEY (run_id, patient_id),
    CHECK ((status = 'failed') = (error IS NOT NULL))
) STRICT;

CREATE TABLE feature_value (
    run_id      INTEGER NOT NULL,
    patient_id  INTEGER NOT NULL,
    series_id   INTEGER,
    feature     TEXT NOT NULL,
    position    INTEGER NOT NULL,   -- order in the extraction output
    value       REAL NOT NULL,
    PRIMARY KEY (run_id, patient_id, feature),
    FOREIGN KEY (run_id, patient_id) REFERENCES extraction_case (run_id, patient_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
