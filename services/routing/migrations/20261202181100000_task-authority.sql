-- Up Migration

-- How the assignee signs a step (NĐ 30/2020 Điều 13): the authority prefix (TM., Q., KT., TL., TUQ.) and on whose
-- behalf, set by the definition (a collective's TM.) or by a delegation of a signature step (ủy quyền).
ALTER TABLE tasks ADD COLUMN authority jsonb;
