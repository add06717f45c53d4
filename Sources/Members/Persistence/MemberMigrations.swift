import Platform

public enum MemberMigrations {
    public static let all: [Migration] = [
        Migration(
            domain: "members", number: 1, name: "members",
            statements: [
                // One row per person (实名制): the same ID number can exist once in the whole deployment.
                // Sensitive fields are sealed (AES-GCM) with an HMAC blind index for exact lookup and a
                // stored mask for lists, so listing never decrypts.
                """
                CREATE TABLE members (
                    id {id}, org_id {bigint} NOT NULL, org_path {path} NOT NULL, name {ctext} NOT NULL,
                    gender TEXT NOT NULL, birth_date TEXT NOT NULL, ethnicity TEXT, id_cipher TEXT NOT NULL,
                    id_index TEXT NOT NULL, id_mask TEXT NOT NULL, phone_cipher TEXT, phone_index TEXT, phone_mask TEXT,
                    education TEXT, political_status TEXT, job TEXT, migrant_worker BOOLEAN NOT NULL,
                    member_no TEXT NOT NULL, join_date TEXT NOT NULL, status TEXT NOT NULL, card_no TEXT,
                    worker_id {bigint}, import_job_id {bigint}, created_at {ts} NOT NULL, updated_at {ts} NOT NULL)
                """,
                "CREATE UNIQUE INDEX members_id_index ON members (id_index)",
                "CREATE UNIQUE INDEX members_member_no ON members (member_no)",
                "CREATE INDEX members_org_path ON members (org_path, id)",
                "CREATE INDEX members_name ON members (name, id)",
                "CREATE INDEX members_phone ON members (phone_index)",
                "CREATE INDEX members_worker ON members (worker_id)",
                // Every membership a member has held: one row per union, closed when they leave it.
                """
                CREATE TABLE memberships (
                    id {id}, member_id {bigint} NOT NULL REFERENCES members (id), org_id {bigint} NOT NULL,
                    org_name TEXT NOT NULL, started_on TEXT NOT NULL, ended_on TEXT, reason TEXT NOT NULL,
                    end_reason TEXT, created_at {ts} NOT NULL)
                """,
                "CREATE INDEX memberships_member ON memberships (member_id, id)",
                // Counters per union kept by the write path; the rollup job sums them up the tree.
                """
                CREATE TABLE member_counters (
                    org_id {bigint} NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL, value {bigint} NOT NULL,
                    PRIMARY KEY (org_id, metric, period))
                """,
                """
                CREATE TABLE member_rollups (
                    org_id {bigint} PRIMARY KEY, org_path {path} NOT NULL, parent_id {bigint}, period TEXT NOT NULL,
                    active {bigint} NOT NULL, joined {bigint} NOT NULL, migrant {bigint} NOT NULL, cards {bigint} NOT NULL,
                    pending {bigint} NOT NULL, computed_at {ts} NOT NULL)
                """,
                "CREATE INDEX member_rollups_parent ON member_rollups (parent_id)",
            ]),
        Migration(
            domain: "members", number: 2, name: "workers_joining_transfers",
            statements: [
                // Member-site accounts of workers (phone + password), not staff accounts.
                """
                CREATE TABLE workers (
                    id {id}, phone_cipher TEXT NOT NULL, phone_index TEXT NOT NULL UNIQUE, phone_mask TEXT NOT NULL,
                    password_hash TEXT NOT NULL, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until {ts},
                    created_at {ts} NOT NULL)
                """,
                """
                CREATE TABLE worker_sessions (
                    id TEXT PRIMARY KEY, worker_id {bigint} NOT NULL REFERENCES workers (id), csrf_token TEXT NOT NULL,
                    created_at {ts} NOT NULL, last_seen_at {ts} NOT NULL, expires_at {ts} NOT NULL)
                """,
                """
                CREATE TABLE sms_codes (
                    phone_index TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL, expires_at {ts} NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, sent_at {ts} NOT NULL, PRIMARY KEY (phone_index, purpose))
                """,
                """
                CREATE TABLE sms_outbox (
                    id {id}, phone_cipher TEXT NOT NULL, phone_mask TEXT NOT NULL, body TEXT NOT NULL,
                    created_at {ts} NOT NULL, sent_at {ts})
                """,
                """
                CREATE TABLE join_applications (
                    id {id}, worker_id {bigint} NOT NULL REFERENCES workers (id), org_id {bigint} NOT NULL,
                    org_path {path} NOT NULL, workplace TEXT NOT NULL, workplace_has_union BOOLEAN NOT NULL,
                    name TEXT NOT NULL, gender TEXT NOT NULL, birth_date TEXT NOT NULL, ethnicity TEXT,
                    id_cipher TEXT NOT NULL, id_index TEXT NOT NULL, id_mask TEXT NOT NULL, phone_cipher TEXT NOT NULL,
                    phone_index TEXT NOT NULL, phone_mask TEXT NOT NULL, education TEXT, political_status TEXT, job TEXT,
                    migrant_worker BOOLEAN NOT NULL, status TEXT NOT NULL, reason TEXT, decided_by TEXT, decided_at {ts},
                    member_id {bigint}, created_at {ts} NOT NULL)
                """,
                "CREATE INDEX join_applications_org ON join_applications (org_path, status, id)",
                "CREATE INDEX join_applications_worker ON join_applications (worker_id, id)",
                """
                CREATE TABLE membership_transfers (
                    id {id}, member_id {bigint} NOT NULL REFERENCES members (id), from_org_id {bigint} NOT NULL,
                    from_org_path {path} NOT NULL, to_org_id {bigint} NOT NULL, to_org_path {path} NOT NULL,
                    status TEXT NOT NULL, requested_by TEXT NOT NULL, released_by TEXT, released_at {ts},
                    accepted_by TEXT, accepted_at {ts}, refused_by TEXT, refused_at {ts}, reason TEXT, note TEXT,
                    created_at {ts} NOT NULL)
                """,
                "CREATE INDEX membership_transfers_from ON membership_transfers (from_org_path, status, id)",
                "CREATE INDEX membership_transfers_to ON membership_transfers (to_org_path, status, id)",
                "CREATE INDEX membership_transfers_member ON membership_transfers (member_id, id)",
            ]),
        Migration(
            domain: "members", number: 3, name: "imports",
            statements: [
                """
                CREATE TABLE member_imports (
                    id {id}, job_id {bigint}, org_id {bigint} NOT NULL, org_path {path} NOT NULL, actor_id {bigint},
                    actor_name TEXT NOT NULL, file_name TEXT NOT NULL, file_path TEXT NOT NULL, status TEXT NOT NULL,
                    total_rows INTEGER, last_row INTEGER NOT NULL DEFAULT 0, good_rows INTEGER NOT NULL DEFAULT 0,
                    bad_rows INTEGER NOT NULL DEFAULT 0, message TEXT, created_at {ts} NOT NULL, started_at {ts},
                    finished_at {ts})
                """,
                "CREATE INDEX member_imports_org ON member_imports (org_path, id)",
                """
                CREATE TABLE member_import_errors (
                    import_id {bigint} NOT NULL, row_number INTEGER NOT NULL, reason TEXT NOT NULL, raw TEXT NOT NULL,
                    PRIMARY KEY (import_id, row_number))
                """,
            ]),
        // For imports at province scale. Only members who registered on the site have a worker
        // account: an index of the others' NULLs cost every imported row an index insert for
        // nothing. An import's members are counted from the first id it took (a range of the
        // primary key), not by scanning all members for its job id.
        Migration(
            domain: "members", number: 4, name: "import at scale",
            statements: [
                "DROP INDEX members_worker",
                "CREATE INDEX members_worker ON members (worker_id) WHERE worker_id IS NOT NULL",
                "ALTER TABLE member_imports ADD COLUMN first_member_id {bigint}",
            ]),
        // Bad rows are kept sealed from now on (they hold ID and phone numbers, like the upload that
        // is deleted for that reason); the rows stored in clear before are dropped, their reasons kept.
        Migration(
            domain: "members", number: 5, name: "import errors sealed",
            statements: ["UPDATE member_import_errors SET raw = ''"]),
        // A worker's requests to correct or delete what is held about them (PIPL arts. 44–47).
        Migration(
            domain: "members", number: 6, name: "personal data requests",
            statements: [
                """
                CREATE TABLE personal_data_requests (
                    id {id}, worker_id {bigint} NOT NULL REFERENCES workers (id), member_id {bigint}, org_path {path},
                    kind TEXT NOT NULL, detail TEXT NOT NULL, status TEXT NOT NULL, created_at {ts} NOT NULL,
                    decided_by TEXT, decided_at {ts}, outcome TEXT)
                """,
                "CREATE INDEX personal_data_requests_org ON personal_data_requests (org_path, status)",
                "CREATE INDEX personal_data_requests_worker ON personal_data_requests (worker_id)",
            ]),
        // Worker API tokens (apps) live beside the member site's cookies; a token works only where it was issued.
        Migration(
            domain: "members", number: 7, name: "worker api sessions",
            statements: ["ALTER TABLE worker_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'web'"]),
        // One pending application per ID number across all accounts, held by the database (two
        // accounts applying at once cannot both get in). Duplicates filed before are refused first.
        Migration(
            domain: "members", number: 8, name: "one pending application per id",
            statements: [
                """
                UPDATE join_applications SET status = 'rejected', reason = '同一身份证号的重复申请', decided_by = 'system'
                WHERE status = 'pending' AND id NOT IN (SELECT MIN(id) FROM join_applications WHERE status = 'pending' GROUP BY id_index)
                """,
                "CREATE UNIQUE INDEX join_applications_pending_id ON join_applications (id_index) WHERE status = 'pending'",
            ]),
        // 认领会籍: a worker's claim to an imported membership, confirmed by its union when the
        // phone on record is not the account's. One pending claim per member, held by the database.
        Migration(
            domain: "members", number: 9, name: "membership claims",
            statements: [
                """
                CREATE TABLE membership_claims (
                    id {id}, worker_id {bigint} NOT NULL REFERENCES workers (id), member_id {bigint} NOT NULL REFERENCES members (id),
                    org_id {bigint} NOT NULL, org_path {path} NOT NULL, member_name TEXT NOT NULL, phone_mask TEXT NOT NULL,
                    status TEXT NOT NULL, decided_by TEXT, reason TEXT, decided_at {ts}, created_at {ts} NOT NULL)
                """,
                "CREATE UNIQUE INDEX membership_claims_pending ON membership_claims (member_id) WHERE status = 'pending'",
                "CREATE INDEX membership_claims_org ON membership_claims (org_path, id) WHERE status = 'pending'",
            ]),
        // Retired members who keep their membership (退休保留会籍) are counted apart from those at work.
        Migration(
            domain: "members", number: 10, name: "retired kept counted apart",
            statements: [
                "ALTER TABLE member_rollups ADD COLUMN retired {bigint} NOT NULL DEFAULT 0",
                """
                INSERT INTO member_counters (org_id, metric, period, value)
                SELECT org_id, 'retired', '', COUNT(*) FROM members WHERE status = 'retired_kept' GROUP BY org_id
                """,
            ]),
        // 工会法 art. 11 on the dashboard: a union whose form no longer fits its member count.
        Migration(
            domain: "members", number: 11, name: "founding rule",
            statements: ["ALTER TABLE member_rollups ADD COLUMN founding TEXT"]),
        // An account holds one membership record: the database holds it, not only the claim's query
        // (one person has one record, by ID number, so a second record would be another person's).
        Migration(
            domain: "members", number: 12, name: "one membership per account",
            statements: [
                "DROP INDEX members_worker",
                "CREATE UNIQUE INDEX members_worker ON members (worker_id) WHERE worker_id IS NOT NULL",
            ]),
        // The dashboard's joins by month, summed up the tree by the rollup job (filled at its next run).
        Migration(
            domain: "members", number: 13, name: "joins by month in the rollups",
            statements: ["ALTER TABLE member_rollups ADD COLUMN joined_months TEXT"]),
    ]
}
