//! Redeliveries through the real conversation layer and store: a message is stepped at most once
//! for the whole redelivery window (after many newer messages, after `hapus data saya`, after a
//! restart), and a redelivery hands back the replies its first delivery left unsent.

use super::support::{Harness, private_tempdir, shipped_catalogue, thursday};
use pintu::convo::{ConvoError, Inbound, Queued};
use pintu::model::input::Input;
use pintu::model::{Channel, ChatKey, MessageId};
use pintu::store::{MemoryStore, Store};
use std::sync::Arc;
use tokio::sync::oneshot;

fn chat() -> ChatKey {
    ChatKey::new(Channel::WhatsApp, "6281234567890")
}

fn wamid(n: u32) -> MessageId {
    MessageId(format!("wa:wamid.R{n}"))
}

/// Delivers a message as a channel would: its replies are sent and marked sent (durably, so
/// whatever the store still lists as pending afterwards was really left behind).
async fn deliver(h: &Harness, id: MessageId, text: &str) -> Vec<Queued> {
    let replies =
        h.convo.handle(chat(), Some(id), Input::Text(text.into())).await.expect("committed");
    h.convo.mark_sent(&chat(), replies.iter().map(|q| q.seq));
    assert!(h.convo.flush().await);
    replies
}

#[tokio::test]
async fn a_redelivery_hands_back_the_replies_the_first_delivery_left_unsent() {
    let h = Harness::new(shipped_catalogue(), thursday(9, 0));
    deliver(&h, wamid(1), "halo").await;
    // The caller goes away after the commit: nobody takes the replies.
    let (done, rx) = oneshot::channel::<Result<Vec<Queued>, ConvoError>>();
    drop(rx);
    let inbound =
        Inbound { chat: chat(), msg: Some(wamid(2)), input: Input::Text("ktp".into()), done };
    h.convo.submit(inbound).await.unwrap();
    // Committed; the platform then delivers it again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while h.store.chat_pending_replies(&chat()).unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the first delivery was not committed");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let again = h.convo.handle(chat(), Some(wamid(2)), Input::Text("ktp".into())).await.unwrap();
    assert!(!again.is_empty(), "the first delivery's replies are handed back");
    let pending = h.store.chat_pending_replies(&chat()).unwrap();
    assert_eq!(
        again.iter().map(|q| q.seq).collect::<Vec<_>>(),
        pending.iter().map(|p| p.0).collect::<Vec<_>>()
    );
    // Once they are sent, a further redelivery hands back nothing.
    h.convo.mark_sent(&chat(), again.iter().map(|q| q.seq));
    assert!(h.convo.flush().await);
    let third = h.convo.handle(chat(), Some(wamid(2)), Input::Text("ktp".into())).await.unwrap();
    assert!(third.is_empty(), "{third:?}");
}

#[tokio::test]
async fn a_message_is_stepped_once_for_the_whole_window() {
    let mut h = Harness::new(shipped_catalogue(), thursday(9, 0));
    assert!(!deliver(&h, wamid(0), "halo").await.is_empty());
    for n in 1..=20 {
        h.clock.advance(60);
        assert!(!deliver(&h, wamid(n), "halo").await.is_empty(), "message {n} answered");
    }
    assert!(deliver(&h, wamid(0), "halo").await.is_empty(), "redelivered after 20 newer ones");
    // Erasure: the session goes, the markers stay.
    deliver(&h, wamid(21), "hapus data saya").await;
    let done = deliver(&h, wamid(22), "ya").await;
    let text = h.catalogue.locales.render(done[0].out.lang, &done[0].out.reply);
    assert!(text.contains("sudah dihapus"), "{text}");
    assert_eq!(h.store.load_session(&chat()).unwrap(), None);
    for n in [0, 5, 21, 22] {
        assert!(deliver(&h, wamid(n), "ya").await.is_empty(), "{n} after the erasure");
    }
    h.restart();
    for n in [0, 20, 22] {
        assert!(deliver(&h, wamid(n), "ya").await.is_empty(), "{n} after a restart");
    }
    // Six days on, still remembered; past the window, a prune lets them go.
    h.clock.advance(6 * 86_400);
    assert!(deliver(&h, wamid(1), "halo").await.is_empty(), "six days later");
    assert_eq!(h.convo.pruner().prune().await.unwrap(), 0, "nothing expired yet");
    h.clock.advance(86_400 + 3600);
    assert!(h.convo.pruner().prune().await.unwrap() >= 23, "the first day's markers expire");
    assert!(!deliver(&h, wamid(1), "halo").await.is_empty(), "past the window: a new message");
    // A restart past the window loads only what is left.
    h.restart();
    assert!(!deliver(&h, wamid(2), "halo").await.is_empty());
    assert!(deliver(&h, wamid(1), "halo").await.is_empty(), "marked again when stepped again");
}

/// A message whose commit fails is answered with an error and delivered again by the platform;
/// the retry is stepped from what was committed, not from the failed step's session (which
/// the shard must not keep), so it gets the replies an undisturbed chat gets.
#[tokio::test]
async fn a_message_whose_commit_failed_is_stepped_again_from_the_committed_session() {
    let store = Arc::new(MemoryStore::new());
    let h = Harness::over(store.clone(), private_tempdir(), shipped_catalogue(), thursday(9, 0));
    let render = |replies: &[Queued]| -> Vec<String> {
        replies.iter().map(|q| h.catalogue.locales.render(q.out.lang, &q.out.reply)).collect()
    };
    let control = ChatKey::new(Channel::WhatsApp, "6281200000001");
    let mut expected = Vec::new();
    for (n, text) in ["halo", "ktp", "1"].into_iter().enumerate() {
        let id = MessageId(format!("wa:wamid.C{n}"));
        let replies = h.convo.handle(control.clone(), Some(id), Input::Text(text.into())).await;
        expected.push(render(&replies.expect("committed")));
    }
    let ask = |n: u32, text: &str| h.convo.handle(chat(), Some(wamid(n)), Input::Text(text.into()));
    assert_eq!(render(&ask(1, "halo").await.expect("committed")), expected[0]);
    store.fail_commits(true);
    assert!(matches!(ask(2, "ktp").await, Err(ConvoError::Store)));
    store.fail_commits(false);
    // The platform delivers it again, then the citizen goes on.
    assert_eq!(render(&ask(2, "ktp").await.expect("committed")), expected[1]);
    assert_eq!(render(&ask(3, "1").await.expect("committed")), expected[2]);
    let session = store.load_session(&chat()).unwrap().expect("a session");
    let undisturbed = store.load_session(&control).unwrap().expect("a session");
    assert_eq!(session.flow, undisturbed.flow);
}
