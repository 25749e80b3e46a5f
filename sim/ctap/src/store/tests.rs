use super::*;

fn credential(id: u8, rp: &str, user: u8, discoverable: bool, step: u64) -> StoredCredential {
    StoredCredential {
        id: vec![id; 16],
        rp_id: rp.to_owned(),
        user_handle: vec![user; 8],
        user_name: Some(format!("user{user}")),
        user_display_name: None,
        private_key: [id.max(1); 32],
        sign_count: 0,
        discoverable,
        backup: BackupState {
            eligible: true,
            synced: true,
        },
        cred_random_uv: [1; 32],
        cred_random_no_uv: [2; 32],
        created_by_profile: "test".into(),
        created_at_step: step,
    }
}

#[test]
fn backup_state_names_device_bound_and_syncing() {
    assert!(BackupState::DEVICE_BOUND.is_device_bound());
    assert!(!BackupState::DEVICE_BOUND.would_sync());
    let eligible = BackupState {
        eligible: true,
        synced: false,
    };
    assert!(eligible.would_sync() && !eligible.is_device_bound());
    assert_eq!(eligible.flags(), Flags::BE);
    let synced = BackupState {
        eligible: true,
        synced: true,
    };
    assert_eq!(synced.flags(), Flags::BE | Flags::BS);
    assert_eq!(
        BackupState::from_flags(Flags::BE | Flags::BS | Flags::UP),
        synced
    );
}

#[test]
fn discoverable_credentials_replace_the_same_user_only() {
    let mut store = CredentialStore::new();
    assert!(store.insert(credential(1, "a.com", 1, true, 1)).is_none());
    assert!(store.insert(credential(2, "a.com", 2, true, 2)).is_none());
    assert!(store.insert(credential(3, "b.com", 1, true, 3)).is_none());
    // Same RP and user handle: replaces credential 1.
    let replaced = store.insert(credential(4, "a.com", 1, true, 4)).unwrap();
    assert_eq!(replaced.id, vec![1; 16]);
    // Non-discoverable credentials never replace anything.
    assert!(store.insert(credential(5, "a.com", 2, false, 5)).is_none());
    assert_eq!(store.len(), 4);
    assert_eq!(store.discoverable_count(), 3);
}

#[test]
fn lookups_filter_by_rp_and_order_most_recent_first() {
    let mut store = CredentialStore::new();
    store.insert(credential(1, "a.com", 1, true, 1));
    store.insert(credential(2, "a.com", 2, true, 5));
    store.insert(credential(3, "a.com", 3, false, 7));
    store.insert(credential(4, "b.com", 4, true, 9));
    assert!(store.find("a.com", &[1; 16]).is_some());
    assert!(store.find("b.com", &[1; 16]).is_none());
    assert!(store.get(&[4; 16]).is_some());
    let ids: Vec<u8> = store.by_rp("a.com").iter().map(|c| c.id[0]).collect();
    assert_eq!(ids, [3, 2, 1]);
    let ids: Vec<u8> = store
        .discoverable_for("a.com")
        .iter()
        .map(|c| c.id[0])
        .collect();
    assert_eq!(ids, [2, 1]);
    let accounts = store.accounts("a.com");
    assert_eq!(accounts[0].user_name.as_deref(), Some("user2"));
    assert_eq!(accounts.len(), 2);

    let list = vec![
        CredentialDescriptor::public_key(vec![4; 16]),
        CredentialDescriptor {
            cred_type: "other".into(),
            ..CredentialDescriptor::public_key(vec![3; 16])
        },
        CredentialDescriptor::public_key(vec![2; 16]),
    ];
    // Credential 4 is b.com's, credential 3's descriptor has another type: 2 is the hit.
    assert_eq!(store.first_listed("a.com", &list).unwrap().id, vec![2; 16]);
    assert!(store.first_listed("c.com", &list).is_none());
    assert_eq!(store.remove(&[2; 16]).unwrap().id[0], 2);
    assert!(store.remove(&[2; 16]).is_none());
}

#[test]
fn serde_round_trips_with_hex_bytes() {
    let mut store = CredentialStore::new();
    store.insert(credential(0xAB, "a.com", 0x0C, true, 3));
    store.global_sign_count = 12;
    let text = store.to_toml_string().unwrap();
    assert!(
        text.contains("id = \"abababababababababababababababab\""),
        "{text}"
    );
    assert!(
        text.contains("user_handle = \"0c0c0c0c0c0c0c0c\""),
        "{text}"
    );
    assert_eq!(CredentialStore::from_toml_str(&text).unwrap(), store);
    let json = serde_json::to_string(&store).unwrap();
    assert_eq!(
        serde_json::from_str::<CredentialStore>(&json).unwrap(),
        store
    );
    let bad = text.replace(&"ab".repeat(32), "abab");
    assert!(CredentialStore::from_toml_str(&bad)
        .unwrap_err()
        .to_string()
        .contains("expected 32 bytes"));
}
