// 007: staff "対応済み" marks (issue 12): who marked which alert or incident as handled, when,
// and an optional note. One mark per target; a later mark replaces the earlier one. Kept as
// long as the monthly report of that month can be asked for (retention prunes by `at`).
// IF NOT EXISTS: safe whichever order the numbered migrations land in.
export const m007acks = `
  CREATE TABLE IF NOT EXISTS acknowledgements (
    target     TEXT NOT NULL CHECK (target IN ('alert', 'incident')),
    target_id  INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    note       TEXT,
    PRIMARY KEY (target, target_id)
  );
  CREATE INDEX IF NOT EXISTS acknowledgements_at ON acknowledgements (at);
`;
