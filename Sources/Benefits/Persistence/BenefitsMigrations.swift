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
            ]),
        Migration(
            domain: "benefits", number: 2, name: "merchants offers redemptions",
            statements: [
                // 合作商户: reviewed by the union at `org_path`, which sees it and its statements.
                """
                CREATE TABLE merchants (
                    id {id}, name TEXT NOT NULL, credit_code TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
                    org_id {bigint} NOT NULL, org_path {path} NOT NULL, contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL,
                    licence_key TEXT, licence_kind TEXT, status TEXT NOT NULL, agreement_from TEXT, agreement_to TEXT,
                    applied_at {ts} NOT NULL, reviewed_by TEXT, reviewed_at {ts}, review_note TEXT)
                """,
                "CREATE INDEX merchants_org ON merchants (org_path, id)",
                // Coordinates in millionths of a degree, so both dialects compare integers.
                """
                CREATE TABLE merchant_outlets (
                    id {id}, merchant_id {bigint} NOT NULL REFERENCES merchants (id), name TEXT NOT NULL, address TEXT NOT NULL,
                    lat_e6 {bigint}, lng_e6 {bigint})
                """,
                "CREATE INDEX merchant_outlets_merchant ON merchant_outlets (merchant_id)",
                """
                CREATE TABLE merchant_staff (
                    account_id {bigint} PRIMARY KEY, merchant_id {bigint} NOT NULL REFERENCES merchants (id), name TEXT NOT NULL,
                    added_by TEXT NOT NULL, added_at {ts} NOT NULL)
                """,
                // 优惠: who may use it is a subtree (`org_path`); the union at `payer_path` pays `subsidy_percent` of each discount.
                """
                CREATE TABLE offers (
                    id {id}, merchant_id {bigint} NOT NULL REFERENCES merchants (id), title TEXT NOT NULL, kind TEXT NOT NULL,
                    percent_off {bigint}, member_price {bigint}, list_price {bigint}, org_id {bigint} NOT NULL, org_path {path} NOT NULL,
                    payer_org_id {bigint} NOT NULL, payer_path {path} NOT NULL, subsidy_percent {bigint} NOT NULL,
                    valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, weekdays TEXT NOT NULL, per_day {bigint}, per_month {bigint},
                    daily_quota {bigint}, voucher_minutes {bigint} NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL)
                """,
                "CREATE INDEX offers_merchant ON offers (merchant_id, id)",
                // One row per offer and day with a quota: `taken` only grows while below `total`, in one statement.
                "CREATE TABLE offer_quota (offer_id {bigint} NOT NULL, day TEXT NOT NULL, total {bigint} NOT NULL, taken {bigint} NOT NULL, PRIMARY KEY (offer_id, day))",
                // A member's uses of an offer per day (`D2027-01-05`) and month (`M2027-01`), raised under the same rule.
                "CREATE TABLE offer_uses (offer_id {bigint} NOT NULL, member_id {bigint} NOT NULL, period TEXT NOT NULL, used {bigint} NOT NULL, PRIMARY KEY (offer_id, member_id, period))",
                """
                CREATE TABLE vouchers (
                    id {id}, offer_id {bigint} NOT NULL REFERENCES offers (id), member_id {bigint} NOT NULL, day TEXT NOT NULL,
                    status TEXT NOT NULL, claimed_at {ts} NOT NULL, expires_at {ts} NOT NULL, redemption_id {bigint})
                """,
                "CREATE INDEX vouchers_member ON vouchers (member_id, status, id)",
                "CREATE INDEX vouchers_offer ON vouchers (offer_id, day)",
                // Codes shown on e-cards: a code is found here, used once, and gone after `expires_at`.
                "CREATE TABLE card_codes (code TEXT PRIMARY KEY, card_id {bigint} NOT NULL, expires_at {ts} NOT NULL, used_at {ts})",
                "CREATE INDEX card_codes_expiry ON card_codes (expires_at)",
                """
                CREATE TABLE redemptions (
                    id {id}, merchant_id {bigint} NOT NULL REFERENCES merchants (id), offer_id {bigint} NOT NULL REFERENCES offers (id),
                    card_id {bigint} NOT NULL, member_id {bigint} NOT NULL, member_name TEXT NOT NULL, voucher_id {bigint},
                    amount_before {bigint} NOT NULL, amount_after {bigint} NOT NULL, discount {bigint} NOT NULL, subsidy {bigint} NOT NULL,
                    payer_path {path} NOT NULL, month TEXT NOT NULL, cashier TEXT NOT NULL, redeemed_at {ts} NOT NULL,
                    statement_id {bigint})
                """,
                "CREATE INDEX redemptions_merchant ON redemptions (merchant_id, month, id)",
                // 结算单: confirmed once per merchant and month, then never changed; a late redemption goes on a supplement.
                """
                CREATE TABLE statements (
                    id {id}, merchant_id {bigint} NOT NULL REFERENCES merchants (id), month TEXT NOT NULL, seq {bigint} NOT NULL,
                    redemptions {bigint} NOT NULL, discount {bigint} NOT NULL, subsidy {bigint} NOT NULL,
                    confirmed_by TEXT NOT NULL, confirmed_at {ts} NOT NULL, UNIQUE (merchant_id, month, seq))
                """,
                // When a card last changed status: the offline revocation list is the cards not active since a time.
                "ALTER TABLE member_cards ADD COLUMN status_at {ts}",
                // Refused codes, claims and redemptions by reason and day: abuse is counted, not only answered.
                "CREATE TABLE benefit_refusals (day TEXT NOT NULL, reason TEXT NOT NULL, count {bigint} NOT NULL, PRIMARY KEY (day, reason))",
            ]),
            Migration(
            domain: "benefits", number: 3, name: "card batches",
            statements: [
                // 批量发卡: one job per batch; `done` moves as it goes, so the page shows progress.
                """
                CREATE TABLE card_batches (
                    id {id}, org_id {bigint} NOT NULL, org_path {path} NOT NULL, org_name TEXT NOT NULL, status TEXT NOT NULL,
                    total {bigint} NOT NULL, done {bigint} NOT NULL, last_member {bigint} NOT NULL, requested_by TEXT NOT NULL,
                    created_at {ts} NOT NULL, finished_at {ts})
                """,
                "CREATE INDEX card_batches_org ON card_batches (org_path, id)",
            ]),
    ]
}
