-- radcohort study database, schema version 1: the cohort and its audit trail.
--
-- Dates are ISO 8601 text (YYYY-MM-DD); timestamps are RFC 3339 text in UTC.
-- Patients are identified to users by their pseudonymous study_id; internal
-- integer ids never leave the database.

-- Study-wide settings and metadata as key/value pairs (name, endpoint windows).
CREATE TABLE study_setting (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE patient (
    id             INTEGER PRIMARY KEY,
    study_id       TEXT NOT NULL UNIQUE,
    sex            TEXT CHECK (sex IN ('M', 'F')),
    age_at_surgery REAL CHECK (age_at_surgery >= 0 AND age_at_surgery <= 120),
    cohort         TEXT CHECK (cohort IN ('training', 'validation'))
) STRICT;

-- REDCap-like data dictionary of study-specific variables.
CREATE TABLE dictionary_variable (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    label     TEXT NOT NULL,
    type      TEXT NOT NULL CHECK (type IN ('numeric', 'integer', 'categorical', 'boolean', 'date', 'text')),
    unit      TEXT,
    levels    TEXT,            -- categorical only: levels joined by '|', in display order
    min_value REAL,
    max_value REAL,
    required  INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    position  INTEGER NOT NULL
) STRICT;

-- One typed value per patient and variable; a missing value has no row.
-- numeric, integer and boolean values live in value_real; categorical, date
-- and text values in value_text.
CREATE TABLE patient_value (
    patient_id  INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    variable_id INTEGER NOT NULL REFERENCES dictionary_variable (id) ON DELETE CASCADE,
    value_real  REAL,
    value_text  TEXT,
    PRIMARY KEY (patient_id, variable_id),
    CHECK ((value_real IS NULL) <> (value_text IS NULL))
) STRICT;

-- The index operation; one per patient.
CREATE TABLE surgery (
    id               INTEGER PRIMARY KEY,
    patient_id       INTEGER NOT NULL UNIQUE REFERENCES patient (id) ON DELETE CASCADE,
    date             TEXT,
    procedure        TEXT CHECK (procedure IN ('minor', 'major')),
    lymphadenectomy  INTEGER CHECK (lymphadenectomy IN (0, 1))
) STRICT;

CREATE TABLE follow_up_event (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('recurrence', 'death', 'last_contact')),
    date        TEXT NOT NULL,
    detail      TEXT,           -- recurrence site or cause of death
    UNIQUE (patient_id, kind, date)
) STRICT;
-- A patient dies once and has one latest contact.
CREATE UNIQUE INDEX one_death_per_patient ON follow_up_event (patient_id) WHERE kind = 'death';
CREATE UNIQUE INDEX one_last_contact_per_patient ON follow_up_event (patient_id) WHERE kind = 'last_contact';

CREATE TABLE chemotherapy_course (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    regimen     TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT,
    cycles      INTEGER CHECK (cycles > 0),
    completed   INTEGER CHECK (completed IN (0, 1)),
    UNIQUE (patient_id, start_date)
) STRICT;

-- Image volumes and masks. Geometry is read from the NIfTI header at import;
-- direction holds the 3x3 direction cosines row-major, joined by spaces.
CREATE TABLE imaging_series (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
    series      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('dwi', 'adc', 'mask', 'other')),
    b_value     REAL CHECK (b_value >= 0),
    path        TEXT NOT NULL,
    checksum    TEXT NOT NULL,  -- SHA-256 of the file, lowercase hex
    dim_x       INTEGER NOT NULL,
    dim_y       INTEGER NOT NULL,
    dim_z       INTEGER NOT NULL,
    spacing_x   REAL NOT NULL,
    spacing_y   REAL NOT NULL,
    spacing_z   REAL NOT NULL,
    origin_x    REAL NOT NULL,
    origin_y    REAL NOT NULL,
    origin_z    REAL NOT NULL,
    direction   TEXT NOT NULL,
    mask_of     INTEGER REFERENCES imaging_series (id) ON DELETE CASCADE,
    label       INTEGER,
    UNIQUE (patient_id, series),
    CHECK ((kind = 'mask') = (mask_of IS NOT NULL))
) STRICT;

-- Every change to study data, written in the same transaction as the change.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user        TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    table_name  TEXT NOT NULL,
    record      TEXT NOT NULL,  -- human-readable key, e.g. 'ICC001' or 'ICC001/recurrence/2019-03-02'
    study_id    TEXT,           -- the patient concerned, when there is one
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT
) STRICT;
CREATE INDEX audit_log_by_patient ON audit_log (study_id, id);
