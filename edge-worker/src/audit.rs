//! The vocabulary of the audit log (table `audit`): what was attempted and how it ended. The strings
//! are what operators query, so they never change meaning; a refusal is recorded under its public
//! error code.

use crate::delivery::MessagePurpose;
use crate::error::{ApiResult, Code};
use crate::limits::BlockReason;

protocol::vocabulary! {
    /// What was attempted.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum AuditAction {
        /// The stored name.
        fn as_str;
        /// `POST /signup`.
        Signup => "signup",
        /// `PATCH /signature` without `Authorization`: a recovery, confirmed by email.
        Change => "change",
        /// `PATCH /signature` signed by the current key: the key is replaced at once.
        ChangeSigned => "change_signed",
        /// `PATCH /signature` signed by a version-1 key: the version-2 key it proposes waits for the
        /// emailed confirmation, like a recovery.
        Upgrade => "upgrade",
        /// `POST /salt` past the address's guess budget: refused (`guess_budget_exhausted`) or let
        /// through by a salt ticket (`ticket_used`). Evaluations within the budget are not logged.
        SaltEvaluation => "salt_evaluation",
        /// `POST /salt/ticket`.
        SaltTicket => "salt_ticket",
        /// `POST /confirm` refused before its purpose was known (no such pending confirmation, a bad
        /// signature, a replay).
        Confirm => "confirm",
        /// `POST /confirm` of a signup.
        ConfirmSignup => "confirm_signup",
        /// `POST /confirm` of a key change.
        ConfirmChange => "confirm_change",
        /// `DELETE /signature`.
        Disable => "disable",
        /// `GET /account` signed by the account key: a sign-in.
        SignIn => "sign_in",
        /// `GET /account` signed by a session key: a signed-in device comes back.
        SessionUse => "session_use",
        /// `GET /sessions`.
        SessionList => "session_list",
        /// `POST /sessions`: the account key certified a session key (also a sign-in).
        SessionCreate => "session_create",
        /// `DELETE /sessions` or `DELETE /sessions/{id}` (outcome `ok`), or the least recently used
        /// sessions of an account that went over its number (outcome `evicted`).
        SessionEnd => "session_end",
        /// A client group blocked; the outcome is the limit it went over.
        Block => "block",
        /// `POST /admin/verify`.
        AdminVerify => "admin_verify",
        /// `POST /admin/disable`.
        AdminDisable => "admin_disable",
        /// `POST /admin/audit`.
        AdminAudit => "admin_audit",
        /// Delivery of a signup confirmation.
        DeliverSignup => "deliver_signup",
        /// Delivery of a key-change confirmation.
        DeliverChange => "deliver_change",
        /// Delivery of an `already_registered` notice.
        DeliverAlreadyRegistered => "deliver_already_registered",
        /// Delivery of a salt ticket.
        DeliverTicket => "deliver_ticket",
    }
}

impl AuditAction {
    /// The delivery of a message with this purpose.
    pub const fn delivery(purpose: MessagePurpose) -> Self {
        match purpose {
            MessagePurpose::Signup => Self::DeliverSignup,
            MessagePurpose::Change => Self::DeliverChange,
            MessagePurpose::AlreadyRegistered => Self::DeliverAlreadyRegistered,
            MessagePurpose::Ticket => Self::DeliverTicket,
        }
    }
}

/// How it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditOutcome {
    /// Done.
    Ok,
    /// `POST /admin/verify`: the token is valid.
    Valid,
    /// A confirmation was stored and queued for delivery.
    ConfirmationSent,
    /// A signup for an active address: the owner was notified instead.
    AlreadyRegistered,
    /// A recovery or a salt ticket for an address without an active account: nothing was stored or
    /// sent.
    NoAccount,
    /// A salt ticket was stored and queued for delivery.
    TicketSent,
    /// `POST /salt`: a salt ticket let an evaluation past the spent guess budget.
    TicketUsed,
    /// An `already_registered` notice not sent: one was sent in the last day.
    Suppressed,
    /// A client group blocked for going over this limit.
    Blocked(BlockReason),
    /// The dead-letter consumer delivered a message after all.
    DeliveredLate,
    /// A message the mail system never accepted.
    Undelivered,
    /// Sessions ended because the account went over its number of sessions.
    Evicted,
    /// Refused with this public error code.
    Refused(Code),
}

impl AuditOutcome {
    /// The outcomes that are not refusals.
    pub const PLAIN: [AuditOutcome; 13] = [
        Self::Ok,
        Self::Valid,
        Self::ConfirmationSent,
        Self::AlreadyRegistered,
        Self::NoAccount,
        Self::TicketSent,
        Self::TicketUsed,
        Self::Suppressed,
        Self::Blocked(BlockReason::TooManyRequests),
        Self::Blocked(BlockReason::TooManyRefusals),
        Self::DeliveredLate,
        Self::Undelivered,
        Self::Evicted,
    ];

    /// The stored name: a refusal's error code, or the outcome's own name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Valid => "valid",
            Self::ConfirmationSent => "confirmation_sent",
            Self::AlreadyRegistered => "already_registered",
            Self::NoAccount => "no_account",
            Self::TicketSent => "ticket_sent",
            Self::TicketUsed => "ticket_used",
            Self::Suppressed => "suppressed",
            Self::Blocked(reason) => reason.as_str(),
            Self::DeliveredLate => "delivered_late",
            Self::Undelivered => "undelivered",
            Self::Evicted => "evicted",
            Self::Refused(code) => code.as_str(),
        }
    }

    /// `Ok` for success, the refusal's code otherwise.
    pub fn of<T>(result: &ApiResult<T>) -> Self {
        match result {
            Ok(_) => Self::Ok,
            Err(error) => Self::Refused(error.code),
        }
    }
}

impl From<Code> for AuditOutcome {
    fn from(code: Code) -> Self {
        Self::Refused(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ServerCode};
    use protocol::ErrorKind;
    use std::collections::BTreeSet;

    fn snake_case(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    }

    #[test]
    fn actions_are_distinct_snake_case_names() {
        let names: BTreeSet<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert!(names.iter().all(|name| snake_case(name)));
    }

    #[test]
    fn outcomes_never_read_as_one_another_or_as_an_error_code() {
        let codes: BTreeSet<_> = ErrorKind::ALL
            .iter()
            .map(|k| k.code())
            .chain(ServerCode::ALL.iter().map(|c| c.code()))
            .collect();
        let plain: BTreeSet<_> = AuditOutcome::PLAIN.iter().map(|o| o.as_str()).collect();
        assert_eq!(plain.len(), AuditOutcome::PLAIN.len());
        for name in &plain {
            assert!(snake_case(name), "{name}");
            assert!(!codes.contains(name), "{name} is also an error code");
        }
        let refused = AuditOutcome::of::<()>(&Err(ApiError::confirmation_invalid()));
        assert_eq!(refused.as_str(), "confirmation_invalid");
        assert_eq!(AuditOutcome::of(&Ok(())), AuditOutcome::Ok);
    }

    #[test]
    fn every_purpose_has_its_delivery_action() {
        for (purpose, name) in [
            (MessagePurpose::Signup, "deliver_signup"),
            (MessagePurpose::Change, "deliver_change"),
            (
                MessagePurpose::AlreadyRegistered,
                "deliver_already_registered",
            ),
            (MessagePurpose::Ticket, "deliver_ticket"),
        ] {
            assert_eq!(AuditAction::delivery(purpose).as_str(), name);
        }
    }
}
