-- V19: the triage category model becomes a kind of the model registry ("triage"); its own version table goes, its history
-- and training sets move over (version numbers in training order), and triage decisions point at the moved rows.
INSERT INTO model_versions ("Kind", "Version", "Metric", "Score", "HigherIsBetter", "Metrics", "TrainedFrom", "TrainedTo", "CreatedAt",
    "Active", "ActivatedAt", "Decision", "RunId", "Payload")
SELECT 'triage', (SELECT count(*) FROM triage_models o WHERE o."Id" <= t."Id"), 'holdout_accuracy', t."HoldoutAccuracy", true,
    json_strip_nulls(json_build_object('holdout_accuracy', t."HoldoutAccuracy", 'active_accuracy', t."PreviousAccuracy", 'examples', t."Examples", 'holdout_examples', t."HoldoutExamples"))::text,
    t."TrainedAt", t."TrainedAt", t."TrainedAt", t."Active", CASE WHEN t."Active" THEN t."TrainedAt" END, t."Outcome", NULL, t."TrainingSet"
FROM triage_models t
ORDER BY t."Id";

UPDATE triage_decisions SET "ModelVersion" = (
    SELECT v."Id" FROM model_versions v
    WHERE v."Kind" = 'triage' AND v."Version" = (SELECT count(*) FROM triage_models o WHERE o."Id" <= triage_decisions."ModelVersion"))
WHERE "ModelVersion" IS NOT NULL;

DROP TABLE triage_models;
