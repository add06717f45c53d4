import Platform

public enum OrganizationMigrations {
    public static let all: [Migration] = [
        Migration(
            domain: "organizations", number: 1, name: "tree",
            statements: [
                """
                CREATE TABLE organizations (
                    id {id}, parent_id {bigint} REFERENCES organizations (id), path {path} NOT NULL UNIQUE,
                    depth INTEGER NOT NULL, level TEXT NOT NULL, kind TEXT NOT NULL, region_code TEXT,
                    name TEXT NOT NULL, short_name TEXT, address TEXT, phone TEXT, status TEXT NOT NULL,
                    merged_into {bigint} REFERENCES organizations (id), child_count INTEGER NOT NULL DEFAULT 0,
                    created_at {ts} NOT NULL, updated_at {ts} NOT NULL)
                """,
                "CREATE INDEX organizations_parent ON organizations (parent_id, id)",
                "CREATE INDEX organizations_region ON organizations (region_code)",
                "CREATE INDEX organizations_name ON organizations (name)",
                "-- postgres\nCREATE EXTENSION IF NOT EXISTS pg_trgm",
                "-- postgres\nCREATE INDEX organizations_name_trgm ON organizations USING gin (name gin_trgm_ops)",
                """
                CREATE TABLE org_history (
                    id {id}, org_id {bigint} NOT NULL REFERENCES organizations (id), action TEXT NOT NULL,
                    actor_id {bigint}, actor_name TEXT NOT NULL, at {ts} NOT NULL, detail TEXT NOT NULL, note TEXT)
                """,
                "CREATE INDEX org_history_org ON org_history (org_id, id)",
            ])
    ]
}
