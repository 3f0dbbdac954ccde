//! Hostile and sloppy input never panics and always gets a clear reply.

use super::support::{Harness, shipped_catalogue, thursday};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_reply_in_every_kind_of_step() {
    let h = Harness::new(shipped_catalogue(), thursday(9, 0));
    let nasty = [
        String::new(),
        "   \t  ".to_string(),
        "x".repeat(10_000),
        "😀😀😀".to_string(),
        "\u{0}\u{7}\u{1b}[31m".to_string(),
        "\u{202e}ktp\u{202c} مرحبا".to_string(),
        "\u{200b}\u{feff}".to_string(),
        "/foto /no/such/file.jpg".to_string(),
        "/lokasi nowhere".to_string(),
        "ubah 99".to_string(),
        "status ZZZZ-ZZZZ".to_string(),
    ];
    // Walk every shipped service a few steps in, throwing every nasty input at each step.
    let services = h.catalogue.menu.len();
    for n in 1..=services {
        let user = format!("u{n}");
        h.say(&user, "menu").await;
        h.say(&user, &n.to_string()).await;
        for bad in &nasty {
            let replies = h.say(&user, bad).await;
            assert!(!replies.is_empty(), "no reply to {bad:?} in service {n}");
            for r in &replies {
                assert!(!r.trim().is_empty(), "empty reply to {bad:?}");
                assert!(
                    !r.contains("-title") && !r.contains("invalid-"),
                    "raw message id in reply: {r}"
                );
            }
        }
    }
}
