import Platform

public enum AccountMigrations {
    public static let all: [Migration] = [
        Migration(
            domain: "accounts", number: 1, name: "accounts_roles_sessions",
            statements: [
                """
                CREATE TABLE accounts (
                    id {id}, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
                    status TEXT NOT NULL, home_org_id {bigint} NOT NULL, home_org_path {path} NOT NULL,
                    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until {ts}, totp_secret TEXT,
                    totp_enabled BOOLEAN NOT NULL DEFAULT FALSE, last_login_at {ts}, password_changed_at {ts} NOT NULL,
                    created_at {ts} NOT NULL)
                """,
                "CREATE INDEX accounts_home_org_path ON accounts (home_org_path, id)",
                """
                CREATE TABLE roles (
                    code TEXT PRIMARY KEY, name TEXT NOT NULL, permissions TEXT NOT NULL,
                    builtin BOOLEAN NOT NULL, requires_totp BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                """
                CREATE TABLE role_assignments (
                    id {id}, account_id {bigint} NOT NULL REFERENCES accounts (id), role_code TEXT NOT NULL REFERENCES roles (code),
                    org_id {bigint} NOT NULL, org_path {path} NOT NULL, granted_by TEXT NOT NULL, granted_at {ts} NOT NULL,
                    UNIQUE (account_id, role_code, org_id))
                """,
                "CREATE INDEX role_assignments_org_path ON role_assignments (org_path)",
                """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY, account_id {bigint} NOT NULL REFERENCES accounts (id), kind TEXT NOT NULL,
                    stage TEXT NOT NULL, csrf_token TEXT NOT NULL, created_at {ts} NOT NULL, last_seen_at {ts} NOT NULL,
                    expires_at {ts} NOT NULL, ip TEXT NOT NULL)
                """,
                "CREATE INDEX sessions_account ON sessions (account_id)",
                "CREATE INDEX sessions_expires ON sessions (expires_at)",
                """
                INSERT INTO roles (code, name, permissions, builtin, requires_totp) VALUES
                ('system_admin', '系统管理员', 'org.read,org.write,org.reorganize,account.read,account.write,role.grant,role.manage,audit.read', TRUE, TRUE),
                ('org_admin', '组织管理员', 'org.read,org.write,org.reorganize,account.read,account.write,role.grant', TRUE, FALSE),
                ('work_order_handler', '工单办理员', 'org.read', TRUE, FALSE),
                ('hotline_operator', '热线接线员', 'org.read', TRUE, FALSE),
                ('auditor', '审计员', 'org.read,account.read,audit.read', TRUE, FALSE),
                ('viewer', '只读查看', 'org.read,account.read', TRUE, FALSE)
                """,
            ]),
        Migration(
            domain: "accounts", number: 2, name: "member_permissions",
            statements: [
                """
                UPDATE roles SET permissions = permissions || ',member.read,member.write,member.reveal,member.import,member.export'
                WHERE code IN ('system_admin', 'org_admin')
                """,
                "UPDATE roles SET permissions = permissions || ',member.read' WHERE code IN ('auditor', 'viewer', 'work_order_handler', 'hotline_operator')",
                """
                INSERT INTO roles (code, name, permissions, builtin, requires_totp) VALUES
                ('member_clerk', '会员管理员', 'org.read,member.read,member.write,member.import,member.export', TRUE, FALSE)
                """,
            ]),
        Migration(
            domain: "accounts", number: 3, name: "work_order_permissions",
            statements: [
                "UPDATE roles SET permissions = permissions || ',workorder.read,workorder.intake,workorder.handle' WHERE code = 'work_order_handler'",
                "UPDATE roles SET permissions = permissions || ',workorder.read,workorder.intake' WHERE code = 'hotline_operator'",
                "UPDATE roles SET permissions = permissions || ',workorder.read,workorder.intake,workorder.handle,workorder.supervise' WHERE code = 'org_admin'",
                "UPDATE roles SET permissions = permissions || ',workorder.read,workorder.configure' WHERE code = 'system_admin'",
                "UPDATE roles SET permissions = permissions || ',workorder.read' WHERE code IN ('auditor', 'viewer')",
            ]),
        Migration(
            domain: "accounts", number: 4, name: "totp_pending_step_recovery",
            statements: [
                // A secret being enrolled waits in totp_pending; totp_secret only ever holds the one in use.
                "ALTER TABLE accounts ADD COLUMN totp_pending TEXT",
                // The last time step a code was accepted for: a code is good once.
                "ALTER TABLE accounts ADD COLUMN totp_step {bigint}",
                "UPDATE accounts SET totp_pending = totp_secret, totp_secret = NULL WHERE totp_enabled = FALSE AND totp_secret IS NOT NULL",
                """
                CREATE TABLE totp_recovery_codes (
                    id {id}, account_id {bigint} NOT NULL REFERENCES accounts (id), code_hash TEXT NOT NULL,
                    created_at {ts} NOT NULL, used_at {ts})
                """,
                "CREATE INDEX totp_recovery_codes_account ON totp_recovery_codes (account_id)",
            ]),
        // Keys of partner apps and data platforms: permissions at one org like a role, a rate, an expiry.
        Migration(
            domain: "accounts", number: 5, name: "partner_keys",
            statements: [
                """
                CREATE TABLE partner_keys (
                    id {id}, name TEXT NOT NULL UNIQUE, key_prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
                    permissions TEXT NOT NULL, org_id {bigint} NOT NULL, rate_per_minute INTEGER NOT NULL, expires_at {ts} NOT NULL,
                    last_used_at {ts}, revoked_at {ts}, revoked_by TEXT, created_by TEXT NOT NULL, created_at {ts} NOT NULL)
                """
            ]),
        // 普惠服务's member cards: the built-in roles hold what BenefitsPermissions declares from the start.
        Migration(
            domain: "accounts", number: 6, name: "card_permissions",
            statements: [
                "UPDATE roles SET permissions = permissions || ',card.read,card.issue' WHERE code IN ('system_admin', 'org_admin', 'member_clerk')",
                "UPDATE roles SET permissions = permissions || ',card.read' WHERE code IN ('auditor', 'viewer', 'work_order_handler', 'hotline_operator')",
            ]),
        // 普惠服务's merchants and settlement, granted here (as the card permissions were) so a new
        // database starts with roles as declared and no sync entries ahead of its own history.
        Migration(
            domain: "accounts", number: 7, name: "benefits_permissions",
            statements: [
                "UPDATE roles SET permissions = permissions || ',merchant.manage,benefits.settle' WHERE code IN ('system_admin', 'org_admin')"
            ]),
    ]
}
