//! Tickets into a commit's writes, sealed: which key each record keeps, gets or loses (sessions
//! are `sessions.rs`'s). A key lives exactly as long as a stored record refers to it; the keys
//! a batch stops using are returned to be destroyed once the batch is durable (see `sled.rs`).

use super::Database;
use crate::model::TicketNo;
use crate::model::ticket::Ticket;
use crate::store::keys::Purpose;
use crate::store::seal::{KeyRef, Keyring, SealKey};
use crate::store::{R, codec};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

impl Database {
    /// The key `r` names, if it is still in the key file.
    pub(super) fn live_key(&self, r: KeyRef) -> R<Option<SealKey>> {
        Ok(self.keys.key(r.slot)?.filter(|k| k.id == r.id))
    }

    /// Adds the ticket writes and their index entries. A ticket keeps its key while it holds
    /// personal data; the write that erases it (or leaves nothing personal) destroys the key.
    pub(super) fn write_tickets(
        &self,
        tickets: &[Ticket],
        writes: &mut sled::Batch,
        doomed: &mut Vec<KeyRef>,
    ) -> R<()> {
        // The key each ticket is left under by the writes so far.
        let mut under: HashMap<TicketNo, Option<SealKey>> = HashMap::new();
        for ticket in tickets {
            let key = codec::ticket_key(&ticket.no);
            let stored = self.raw(&key)?;
            // A ticket moved to another chat (anonymised after "hapus data saya") must not stay
            // findable under the old chat's index.
            if let Some(old) = stored.as_deref().map(|b| self.decode_ticket(b)).transpose()?
                && old.chat != ticket.chat
            {
                writes.remove(codec::index_key(&old));
            }
            let current = match under.entry(ticket.no) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let old = stored.as_deref().and_then(codec::ticket_key_ref);
                    e.insert(old.map(|r| self.live_key(r)).transpose()?.flatten())
                }
            };
            if codec::ticket_is_personal(ticket) {
                if current.is_none() {
                    *current = Some(self.keys.take(Purpose::Record)?);
                }
            } else if let Some(old) = current.take() {
                doomed.push(old.key_ref());
            }
            writes.insert(key, codec::seal_ticket(ticket, current.as_ref())?);
            writes.insert(codec::index_key(ticket), &[][..]);
        }
        Ok(())
    }
}
