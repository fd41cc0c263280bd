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
text_enum!(
    /// Where a digest window is: gathering events, or flushed into its
    /// delivery (`sent`); `sending` and `failed` are written by the
    /// converter for MongoDB's windows in those states.
    DigestStatus, "digest status" {
        Collecting => "collecting", Sending => "sending", Sent => "sent", Failed => "failed",
    }
);
text_enum!(
    /// Where a delivery is in its life cycle (`notify.deliveries.status`);
    /// [`DeliveryStatus::can_become`] is the transition table.
    DeliveryStatus, "delivery status" {
        Pending => "pending", Queued => "queued", Sending => "sending", Sent => "sent",
        Delivered => "delivered", Failed => "failed", Bounced => "bounced",
        Suppressed => "suppressed",
    }
);

impl DeliveryStatus {
    /// Every legal change of a delivery's status:
    ///
    /// | from              | to         | by                                          |
    /// |-------------------|------------|---------------------------------------------|
    /// | pending, queued   | sending    | a claim (the attempt grows by one)          |
    /// | sending           | sent       | the claim's completion                      |
    /// | sending           | queued     | a failure with attempts left, or a rescue   |
    /// | sending           | failed     | the last failure: the dead letter           |
    /// | sent              | delivered  | by hand: the provider's receipt             |
    /// | sent              | bounced    | by hand: the provider's bounce              |
    /// | pending, queued   | suppressed | by hand: quiet hours, maintenance, a cancel |
    /// | failed            | queued     | by hand: a redrive, attempts start again    |
    ///
    /// Delivered, bounced and suppressed deliveries never change.
    pub fn can_become(self, to: DeliveryStatus) -> bool {
        use DeliveryStatus::*;
        self.by_hand(to)
            || matches!(
                (self, to),
                (Pending | Queued, Sending) | (Sending, Sent | Queued | Failed)
            )
    }

    /// The changes of [`DeliveryStatus::can_become`] a caller makes by hand;
    /// the rest belong to a claim and its completion or failure.
    pub fn by_hand(self, to: DeliveryStatus) -> bool {
        use DeliveryStatus::*;
        matches!(
            (self, to),
            (Sent, Delivered | Bounced) | (Pending | Queued, Suppressed) | (Failed, Queued)
        )
    }
}
text_enum!(
    /// How bad an incident or an inbox item is.
    Severity, "severity" {
        Critical => "critical", High => "high", Medium => "medium", Low => "low", Info => "info",
    }
);
text_enum!(
    /// Where an incident is: open, acknowledged once, resolved.
    IncidentStatus, "incident status" {
        Open => "open", Acknowledged => "acknowledged", Resolved => "resolved",
    }
);
text_enum!(
    /// Where an escalation is: paging (active), stopped by an
    /// acknowledgement or a resolution, or out of stages (expired).
    EscalationStatus, "escalation status" {
        Active => "active", Acknowledged => "acknowledged", Resolved => "resolved",
        Expired => "expired",
    }
);
text_enum!(
    /// What an audit entry is about (`notify.audit.category`).
    AuditCategory, "audit category" {
        Channel => "channel", Rule => "rule", Template => "template", Delivery => "delivery",
        Incident => "incident", Escalation => "escalation", Schedule => "schedule",
    }
);
text_enum!(
    /// How an on-call schedule hands over: at local midnight every day,
    /// at Monday's local midnight every week, or only by overrides.
    Rotation, "rotation" { Daily => "daily", Weekly => "weekly", Custom => "custom" }
);
