import Platform

/// The card domain's tables. A member holds at most one card that is not cancelled (a partial
/// unique index holds it, so two concurrent issues cannot both succeed).
public enum BenefitsMigrations {
    public static let all: [Migration] = [
        Migration(
            domain: "benefits", number: 1, name: "member cards",
            statements: [
                """
                CREATE TABLE member_cards (
                    id {id}, card_no TEXT NOT NULL UNIQUE, member_id {bigint} NOT NULL REFERENCES members (id),
                    org_id {bigint} NOT NULL, org_path {path} NOT NULL, status TEXT NOT NULL, issued_by TEXT NOT NULL,
                    issued_at {ts} NOT NULL, ended_at {ts}, end_reason TEXT, replaced_by {bigint})
                """,
                "CREATE UNIQUE INDEX member_cards_current ON member_cards (member_id) WHERE status <> 'cancelled'",
                "CREATE INDEX member_cards_member ON member_cards (member_id, id)",
                "CREATE INDEX member_cards_org ON member_cards (org_path, id)",
                // Card numbers are numbered per deployment: one row holds the last sequence taken.
                "CREATE TABLE card_sequence (id INTEGER PRIMARY KEY, last {bigint} NOT NULL)",
                "INSERT INTO card_sequence (id, last) VALUES (1, 0)",
            ])
    ]
}
