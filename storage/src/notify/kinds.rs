//! Notify's text columns with a CHECK list.

use crate::text_enum::text_enum;

text_enum!(
    /// Where a channel delivers (`notify.channels.channel_type`).
    ChannelType, "channel type" {
        Email => "email", Slack => "slack", Teams => "teams", Webhook => "webhook",
        PagerDuty => "pagerduty", Opsgenie => "opsgenie",
    }
);
text_enum!(
    /// How a template's body is written.
    TemplateFormat, "template format" {
        Text => "text", Markdown => "markdown", Html => "html", Json => "json",
    }
);
text_enum!(
    /// Whether a rule's events go out one by one or gathered.
    DigestMode, "digest mode" { Instant => "instant", Hourly => "hourly", Daily => "daily" }
);
