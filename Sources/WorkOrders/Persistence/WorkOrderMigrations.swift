import Platform

public enum WorkOrderMigrations {
    public static let all: [Migration] = [
        Migration(
            domain: "workorders", number: 1, name: "work_orders",
            statements: [
                // Types (the 12351 standard's five) and categories are rows: a deployment may rename,
                // retire or add them. Deadlines are working days per complexity.
                """
                CREATE TABLE work_order_types (
                    code TEXT PRIMARY KEY, name TEXT NOT NULL, normal_days INTEGER NOT NULL, difficult_days INTEGER NOT NULL,
                    complex_days INTEGER NOT NULL, active BOOLEAN NOT NULL, sort INTEGER NOT NULL)
                """,
                """
                INSERT INTO work_order_types (code, name, normal_days, difficult_days, complex_days, active, sort) VALUES
                ('consultation', '咨询', 1, 3, 5, TRUE, 1), ('assistance', '服务帮扶/求决', 5, 10, 20, TRUE, 2),
                ('complaint', '信访投诉', 15, 30, 60, TRUE, 3), ('legal_aid', '法律援助', 5, 10, 20, TRUE, 4),
                ('suggestion', '意见建议', 10, 15, 20, TRUE, 5)
                """,
                "CREATE TABLE work_order_categories (code TEXT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL, sort INTEGER NOT NULL)",
                """
                INSERT INTO work_order_categories (code, name, active, sort) VALUES
                ('wage_arrears', '欠薪讨薪', TRUE, 1), ('labour_contract', '劳动合同', TRUE, 2), ('social_insurance', '社会保险', TRUE, 3),
                ('work_injury', '工伤', TRUE, 4), ('occupational_disease', '职业病', TRUE, 5), ('hardship', '困难帮扶', TRUE, 6),
                ('rights_consultation', '维权咨询', TRUE, 7), ('other', '其他', TRUE, 99)
                """,
                // Routing rules: an order matching type/category/region goes to the ancestor of the
                // worker's union at `target_level` (e.g. legal aid → the county union).
                """
                CREATE TABLE work_order_routes (
                    id {id}, type_code TEXT, category_code TEXT, region_prefix TEXT, target_level TEXT NOT NULL,
                    priority INTEGER NOT NULL, note TEXT)
                """,
                "INSERT INTO work_order_routes (type_code, category_code, region_prefix, target_level, priority, note) VALUES ('legal_aid', NULL, NULL, 'county', 10, '法律援助由县级工会法律援助中心办理')",
                // Public holidays and adjusted working days; everything else follows Monday–Friday.
                "CREATE TABLE calendar_days (day TEXT PRIMARY KEY, working BOOLEAN NOT NULL, name TEXT NOT NULL)",
                """
                CREATE TABLE work_orders (
                    id {id}, number TEXT NOT NULL UNIQUE, type_code TEXT NOT NULL, category_code TEXT NOT NULL,
                    complexity TEXT NOT NULL, channel TEXT NOT NULL, title {ctext} NOT NULL, description TEXT NOT NULL,
                    status TEXT NOT NULL, worker_id {bigint}, member_id {bigint}, caller_name TEXT NOT NULL,
                    caller_phone_cipher TEXT, caller_phone_index TEXT, caller_phone_mask TEXT,
                    origin_org_id {bigint} NOT NULL, org_id {bigint} NOT NULL, org_path {path} NOT NULL,
                    assignee_id {bigint}, assignee_name TEXT, supervisor_org_id {bigint}, supervisor_path {path},
                    escalation_level INTEGER NOT NULL DEFAULT 0, was_overdue BOOLEAN NOT NULL DEFAULT FALSE,
                    due_on TEXT NOT NULL, escalate_on TEXT, warned BOOLEAN NOT NULL DEFAULT FALSE, paused_on TEXT,
                    reopen_count INTEGER NOT NULL DEFAULT 0, outcome TEXT, amount_recovered {bigint}, people_helped INTEGER,
                    resolved_at {ts}, resolved_on_time BOOLEAN, rating INTEGER, rating_comment TEXT, rated_at {ts},
                    followup_at {ts}, followup_note TEXT, close_after TEXT, closed_at {ts}, created_by TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0,
                    created_at {ts} NOT NULL, updated_at {ts} NOT NULL)
                """,
                "CREATE INDEX work_orders_org ON work_orders (org_path, id)",
                "CREATE INDEX work_orders_org_id ON work_orders (org_id, status, id)",
                "CREATE INDEX work_orders_assignee ON work_orders (assignee_id, id)",
                "CREATE INDEX work_orders_worker ON work_orders (worker_id, id)",
                "CREATE INDEX work_orders_caller ON work_orders (caller_phone_index, id)",
                "CREATE INDEX work_orders_supervisor ON work_orders (supervisor_path, id)",
                // The SLA job's two scans: open orders due for escalation, resolved ones due to close.
                "CREATE INDEX work_orders_escalate ON work_orders (escalate_on) WHERE escalate_on IS NOT NULL",
                "CREATE INDEX work_orders_due ON work_orders (due_on) WHERE status IN ('submitted', 'accepted') AND NOT warned",
                "CREATE INDEX work_orders_close ON work_orders (close_after) WHERE status = 'resolved'",
                // The timeline: every step, visible to the worker or internal.
                """
                CREATE TABLE work_order_events (
                    id {id}, order_id {bigint} NOT NULL REFERENCES work_orders (id), at {ts} NOT NULL, actor_name TEXT NOT NULL,
                    action TEXT NOT NULL, note TEXT, public BOOLEAN NOT NULL, org_name TEXT)
                """,
                "CREATE INDEX work_order_events_order ON work_order_events (order_id, id)",
                // Orgs asked to assist (协办) see the order while the request is open.
                """
                CREATE TABLE work_order_assists (
                    id {id}, order_id {bigint} NOT NULL REFERENCES work_orders (id), org_id {bigint} NOT NULL, org_path {path} NOT NULL,
                    org_name TEXT NOT NULL, request TEXT NOT NULL, reply TEXT, requested_by TEXT NOT NULL, replied_by TEXT,
                    created_at {ts} NOT NULL, replied_at {ts})
                """,
                "CREATE INDEX work_order_assists_order ON work_order_assists (order_id)",
                "CREATE INDEX work_order_assists_org ON work_order_assists (org_path, order_id)",
                """
                CREATE TABLE work_order_files (
                    id {id}, order_id {bigint} NOT NULL REFERENCES work_orders (id), name TEXT NOT NULL, kind TEXT NOT NULL,
                    size {bigint} NOT NULL, storage_key TEXT NOT NULL, sha256 TEXT NOT NULL, uploaded_by TEXT NOT NULL,
                    created_at {ts} NOT NULL)
                """,
                "CREATE INDEX work_order_files_order ON work_order_files (order_id)",
                // In-app notifications: to a worker, to an account, or to every handler of an org.
                """
                CREATE TABLE notifications (
                    id {id}, worker_id {bigint}, account_id {bigint}, org_id {bigint}, order_id {bigint}, kind TEXT NOT NULL,
                    text TEXT NOT NULL, created_at {ts} NOT NULL, read_at {ts})
                """,
                "CREATE INDEX notifications_worker ON notifications (worker_id, id)",
                "CREATE INDEX notifications_account ON notifications (account_id, id)",
                "CREATE INDEX notifications_org ON notifications (org_id, id)",
                // Counters per handling org, month, type and category, kept in the write path: stats for
                // any subtree sum these, never the orders.
                """
                CREATE TABLE work_order_counters (
                    org_id {bigint} NOT NULL, org_path {path} NOT NULL, period TEXT NOT NULL, type_code TEXT NOT NULL,
                    category_code TEXT NOT NULL, created {bigint} NOT NULL, resolved {bigint} NOT NULL, on_time {bigint} NOT NULL,
                    rated {bigint} NOT NULL, satisfied {bigint} NOT NULL, rating_sum {bigint} NOT NULL, handling_days {bigint} NOT NULL,
                    PRIMARY KEY (org_id, period, type_code, category_code))
                """,
                "CREATE INDEX work_order_counters_path ON work_order_counters (org_path, period)",
            ]),
        Migration(
            domain: "workorders", number: 2, name: "notification_marks",
            statements: [
                // Each cadre's own "read up to" mark: an org's notices go to all its handlers, and one
                // handler reading them must not mark them read for the others.
                "CREATE TABLE notification_marks (account_id {bigint} PRIMARY KEY, read_through {bigint} NOT NULL)"
            ]),
    ]
}
