-- Up Migration
-- The staff directory says which office each person holds (văn thư, chuyên viên, lãnh đạo phòng, …), so that an
-- agency onboarded through the API comes with the people who will act in it (issue 15: "Import the staff
-- directory (people, units, roles) with the agencies"). The names are the platform's roles (ARCHITECTURE.md,
-- glossary); 'service' is not a person's role.
ALTER TABLE organisation_people
  ADD COLUMN roles text[] NOT NULL DEFAULT '{}'
    CHECK (roles <@ ARRAY['clerk', 'specialist', 'unit-leader', 'format-checker', 'agency-leader',
                          'dossier-inspector', 'report-collector', 'admin']::text[]);
