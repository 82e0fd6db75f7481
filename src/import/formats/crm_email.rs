//! Email activities of CRM exports (amoCRM mail notes, Bitrix24 email
//! activities, HubSpot email engagements) turned into the same [`Email`]
//! the batch's `emails/` folder gives, so one store path
//! ([`crate::import::email::store_emails`]) and one linker
//! ([`crate::domain::email`]) serve both.
//!
//! What the CRM knows and a mail header does not is written where the
//! linker reads it:
//! - **Message id**: the export's own Message-ID when it carries one, else
//!   the CRM's record id in a namespace of its own
//!   (`amocrm-note-5301@crm.callqa`), the same on every import.
//! - **Thread**: the CRM's thread or chain id becomes a `References` entry
//!   every message of the chain shares (`amocrm-thread-77@crm.callqa`), so
//!   they are one thread; without one, the bare subject and the contact do
//!   the same (a CRM keeps no `In-Reply-To`).
//! - **Rep**: the CRM owner's name is put on the rep's side of the message
//!   (the sender of an outgoing email, the first recipient of an incoming
//!   one): the linker recognises a rep by name.
//! - **Contact**: the client's side takes the linked contact's address when
//!   the export leaves it empty, so the linker finds the contact by address.
//! - **Body**: HTML through the converter `.eml` bodies go through.

use crate::domain::crm::{Contact, Deal, Timestamp};
use crate::domain::email::{CrmLinks, Email, EmailDirection, Mailbox, bare_subject};
use crate::import::email::{EmailRecord, header_mailboxes, html_to_text};
use sha2::{Digest, Sha256};

/// The domain of the ids callqa makes for CRM records: never a real host.
const ID_DOMAIN: &str = "crm.callqa";

/// One email activity as a CRM export describes it.
#[derive(Debug, Default)]
pub(crate) struct CrmEmail {
    /// `amocrm`, `bitrix24`, `hubspot`: the namespace of the ids.
    pub source: &'static str,
    /// The CRM's id of the record (note, activity, engagement).
    pub id: String,
    /// The export's `Message-ID`, when it keeps one.
    pub message_id: Option<String>,
    /// The CRM's thread or chain id.
    pub thread: Option<String>,
    pub outgoing: bool,
    /// The CRM owner of the activity, as a rep name.
    pub rep: String,
    /// Address header values as the export writes them.
    pub from: String,
    pub to: String,
    pub cc: String,
    pub contact_id: Option<String>,
    /// The deal the activity is on: its contact is the email's when the
    /// activity names no contact.
    pub deal_id: Option<String>,
    pub date: Option<Timestamp>,
    pub subject: String,
    pub body: String,
    pub html: bool,
}

impl CrmEmail {
    /// The email, read at `file` (`line` for a CSV row); `Err` says why the
    /// record is not an email callqa can show.
    pub fn into_record(
        self,
        contacts: &[Contact],
        deals: &[Deal],
        file: &str,
        line: Option<u64>,
    ) -> Result<EmailRecord, String> {
        if self.id.trim().is_empty() {
            return Err("the email has no id".into());
        }
        let body_text = if self.html {
            html_to_text(&self.body)
        } else {
            self.body.clone()
        };
        let body_text = body_text.trim().to_string();
        let subject = self.subject.trim().to_string();
        if subject.is_empty() && body_text.is_empty() {
            return Err("the email has neither a subject nor a body".into());
        }
        let mut from = header_mailboxes(&self.from).into_iter().next();
        let mut to = header_mailboxes(&self.to);
        let cc = header_mailboxes(&self.cc);
        let contact_id = self.contact_id.clone().or_else(|| {
            let deal = self.deal_id.as_deref()?;
            deals
                .iter()
                .find(|d| d.deal_id == deal && !d.contact_id.is_empty())
                .map(|d| d.contact_id.clone())
        });
        let contact_address = contact_id
            .as_deref()
            .and_then(|id| contacts.iter().find(|c| c.contact_id == id))
            .and_then(|c| header_mailboxes(&c.email).into_iter().next());
        // The client's side: the recipients of an outgoing email, the sender
        // of an incoming one.
        if self.outgoing {
            if to.is_empty() {
                to.extend(contact_address);
            }
            name_rep(from.get_or_insert_with(Mailbox::default), &self.rep);
        } else {
            if from.is_none() {
                from = contact_address;
            }
            if to.is_empty() {
                to.push(Mailbox::default());
            }
            name_rep(&mut to[0], &self.rep);
        }
        let from = from.unwrap_or_default();
        if from.address.is_empty() && to.iter().all(|m| m.address.is_empty()) {
            return Err("the email has no sender or recipient address".into());
        }
        let thread = match self.thread.as_deref().map(str::trim) {
            Some(thread) if !thread.is_empty() => Some(self.namespaced("thread", thread)),
            _ => contact_id.as_deref().and_then(|contact| {
                let bare = bare_subject(&subject);
                (!bare.is_empty()).then(|| {
                    self.namespaced("subject", &format!("{}-{contact}", short_hash(&bare)))
                })
            }),
        };
        let message_id = match self.message_id.as_deref().map(bare_id) {
            Some(id) if !id.is_empty() => id,
            _ => self.namespaced("email", &self.id),
        };
        Ok(EmailRecord {
            email: Email {
                message_id,
                in_reply_to: None,
                references: thread.into_iter().collect(),
                from,
                to,
                cc,
                date: self.date,
                subject,
                body_text,
                attachments: Vec::new(),
                crm: Some(CrmLinks {
                    direction: Some(if self.outgoing {
                        EmailDirection::Out
                    } else {
                        EmailDirection::In
                    }),
                    rep: Some(self.rep.trim().to_string()).filter(|r| !r.is_empty()),
                    contact_id: contact_id.clone(),
                    deal_id: self.deal_id.clone(),
                }),
            },
            file: file.to_string(),
            number: None,
            line,
        })
    }

    /// `<source>-<kind>-<id>@crm.callqa`, with the id kept to characters a
    /// Message-ID may hold.
    fn namespaced(&self, kind: &str, id: &str) -> String {
        let id: String = id
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}-{kind}-{id}@{ID_DOMAIN}", self.source)
    }
}

/// The CRM owner names the rep's mailbox: the linker knows reps by name.
fn name_rep(mailbox: &mut Mailbox, rep: &str) {
    if !rep.trim().is_empty() {
        mailbox.name = rep.trim().to_string();
    }
}

fn bare_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Contact {
        Contact {
            contact_id: "275".into(),
            name: "Ольга Петрова".into(),
            email: "olga@romashka.example".into(),
            ..Default::default()
        }
    }

    fn outgoing() -> CrmEmail {
        CrmEmail {
            source: "bitrix24",
            id: "8001".into(),
            outgoing: true,
            rep: "Анна Смирнова".into(),
            from: "sales@company.example".into(),
            contact_id: Some("275".into()),
            subject: "КП по станку".into(),
            body: "<p>Ольга, добрый день!</p><p>Высылаю КП.</p>".into(),
            html: true,
            ..Default::default()
        }
    }

    #[test]
    fn an_outgoing_email_gets_the_owner_as_sender_and_the_contact_as_recipient() {
        let record = outgoing()
            .into_record(&[contact()], &[], "a.json", None)
            .unwrap();
        let email = record.email;
        assert_eq!(email.message_id, "bitrix24-email-8001@crm.callqa");
        assert_eq!(email.from.name, "Анна Смирнова");
        assert_eq!(email.to[0].address, "olga@romashka.example");
        assert!(
            email.body_text.contains("Высылаю КП."),
            "{}",
            email.body_text
        );
        assert!(!email.body_text.contains("<p>"), "{}", email.body_text);
    }

    #[test]
    fn without_a_thread_id_the_subject_and_contact_make_the_thread() {
        let first = outgoing()
            .into_record(&[contact()], &[], "a", None)
            .unwrap();
        let reply = CrmEmail {
            id: "8002".into(),
            outgoing: false,
            from: String::new(),
            subject: "RE: КП по станку".into(),
            ..outgoing()
        }
        .into_record(&[contact()], &[], "a", None)
        .unwrap();
        assert_eq!(first.email.references, reply.email.references);
        assert_eq!(reply.email.from.address, "olga@romashka.example");
        assert_eq!(reply.email.to[0].name, "Анна Смирнова");
        let other = CrmEmail {
            id: "8003".into(),
            subject: "Счёт".into(),
            ..outgoing()
        }
        .into_record(&[contact()], &[], "a", None)
        .unwrap();
        assert_ne!(first.email.references, other.email.references);
    }

    #[test]
    fn a_record_with_nothing_to_read_or_nobody_to_reach_is_refused() {
        let empty = CrmEmail {
            subject: " ".into(),
            body: String::new(),
            ..outgoing()
        };
        assert!(empty.into_record(&[contact()], &[], "a", None).is_err());
        let nobody = CrmEmail {
            from: String::new(),
            contact_id: None,
            ..outgoing()
        };
        assert!(nobody.into_record(&[], &[], "a", None).is_err());
    }
}
