//! `schema.graphql` at the repository root is the schema the code serves:
//! this fails when they drift (regenerate with `mubiao schema > schema.graphql`).
#[test]
fn the_published_schema_is_the_one_served() {
    let published = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the repository root");
    let served = mubiao::graphql::schema_sdl();
    if published != served {
        let line = published
            .lines()
            .zip(served.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| published.lines().count().min(served.lines().count()));
        panic!(
            "schema.graphql differs from the schema served from line {}: regenerate it with `cargo run -- schema > schema.graphql` and list breaking changes in the README's CHANGELOG",
            line + 1
        );
    }
    // It is what `mubiao schema` prints.
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_mubiao"))
        .arg("schema")
        .env("DATABASE_URL", "sqlite:/nonexistent/dir/never-created.db")
        .output()
        .unwrap();
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), served);
    assert!(
        served.contains("type SubscriptionRoot"),
        "subscriptions are in it"
    );
}
