//! The reviewer's own link from a call to its CRM records, typed in the
//! workstation: checked against the workspace, kept across re-imports.

use super::App;

impl App {
    /// `CONTACT [DEAL]` typed by the reviewer; both must exist. Kept in the
    /// workspace and re-applied after every import.
    pub(super) fn link_by_hand(&mut self, text: &str) {
        let Some(call_id) = self.review.open.as_ref().map(|o| o.call.call_id.clone()) else {
            return self.no_call();
        };
        let mut words = text.split_whitespace();
        let (contact, deal) = (words.next(), words.next());
        let known =
            |ids: &Vec<String>, id: Option<&str>| id.is_none_or(|id| ids.iter().any(|k| k == id));
        let contacts = self
            .ws
            .all_contacts()
            .map(|v| v.into_iter().map(|c| c.contact_id).collect());
        let deals = self
            .ws
            .all_deals()
            .map(|v| v.into_iter().map(|d| d.deal_id).collect());
        match (contacts, deals) {
            (Ok(contacts), Ok(deals)) if known(&contacts, contact) && known(&deals, deal) => {}
            (Ok(_), Ok(_)) => {
                let text = format!("{}: {text}", self.t().link_unknown);
                return self.warn(text);
            }
            (Err(e), _) | (_, Err(e)) => return self.error(e.to_string()),
        }
        if let Err(e) = crate::import::link_by_hand(&self.ws, &call_id, contact, deal) {
            return self.error(e.to_string());
        }
        let index = self.queue.cursor;
        if let Err(e) = self.open_call(index) {
            return self.error(e.to_string());
        }
        let text = self.t().cli_linked.to_string();
        self.info(text);
    }
}
