-- Up Migration

-- Ủy quyền with review: on a step whose definition says `ownerReview`, a delegate's completion does not move the
-- process on; the task goes back to its owner with what the delegate submitted (the completion's form, not yet
-- applied), and the owner accepts it (the form is applied then) or returns it to the delegate with a reason.
ALTER TABLE tasks ADD COLUMN review jsonb;
