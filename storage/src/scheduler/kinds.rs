//! The text-with-CHECK columns of the scheduler schema, as Rust enums.

use crate::text_enum::text_enum;

text_enum!(
    /// What made a run or a trigger (`runs.trigger`, `triggers.kind`).
    TriggerKind, "trigger kind" {
        Cron => "cron", Manual => "manual", Feedser => "feedser", Vexer => "vexer",
        Conselier => "conselier", Excitor => "excitor",
    }
);
text_enum!(TriggerStatus, "trigger status" {
    Pending => "pending", Fired => "fired", Skipped => "skipped", Failed => "failed",
});
text_enum!(ScheduleMode, "schedule mode" {
    AnalysisOnly => "analysis_only", ContentRefresh => "content_refresh",
});
text_enum!(
    /// Status of graph and policy jobs.
    JobStatus, "job status" {
        Pending => "pending", Queued => "queued", Running => "running",
        Completed => "completed", Failed => "failed", Cancelled => "cancelled",
    }
);
text_enum!(GraphJobKind, "graph job kind" { Build => "build", Overlay => "overlay" });
text_enum!(GraphJobTrigger, "graph job trigger" {
    SbomVersion => "sbom_version", Backfill => "backfill", Manual => "manual",
    PolicyRun => "policy_run", AdvisoryDelta => "advisory_delta",
});
text_enum!(PolicyJobMode, "policy job mode" {
    Full => "full", Incremental => "incremental", Simulate => "simulate",
});
text_enum!(LogLevel, "log level" {
    Debug => "debug", Info => "info", Warn => "warn", Error => "error",
});
text_enum!(AuditCategory, "audit category" {
    Schedule => "schedule", Run => "run", GraphJob => "graph_job", PolicyJob => "policy_job",
    Worker => "worker", Lock => "lock",
});
