import Foundation
import SQLKit
import Testing

@testable import Accounts
@testable import App
@testable import Organizations
@testable import Platform

@Suite struct AuditTests {
    @Test func everyWriteIsRecordedAndTheChainVerifies() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            try await Fixture.account(app, "city", role: Role.orgAdmin, at: f.cityA)
            _ = try await app.api(.post, "/api/v1/orgs/\(f.townA1.id)/move", token: try await app.token("city"),
                                  json: ["parentId": f.countyA2.id])
            let audit = app.services.audit
            #expect(try await audit.seal() > 0)
            let result = try await audit.verify()
            #expect(result.firstBroken == nil && result.unsealed == 0 && result.checked > 10)
            let moves = try await audit.list(actor: app.system, filter: AuditFilter(action: "org.move"), page: PageRequest(), roots: [])
            #expect(moves.items.count == 1)
            #expect(moves.items[0].actorName == "city" && moves.items[0].objectId == String(f.townA1.id))
            #expect(moves.items[0].detailFields["parent.to"] == f.countyA2.name)
        }
    }

    @Test func theLogIsAppendOnlyAndTamperingIsFound() async throws {
        try await TestApp.run { app in
            _ = try await Fixture.build(app)
            let audit = app.services.audit
            try await audit.seal()
            let db = app.services.database
            // The database itself refuses to change or delete entries.
            await #expect(throws: (any Error).self) {
                try await db.transaction { try await $0.raw("UPDATE audit_log SET actor_name = 'x' WHERE id = 3").run() }
            }
            await #expect(throws: (any Error).self) {
                try await db.transaction { try await $0.raw("DELETE FROM audit_log WHERE id = 3").run() }
            }
            // Someone with the power to lift the guard edits an entry: verify names it.
            try await db.transaction { sql in
                if db.dialect == .postgres {
                    try await sql.raw("ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard").run()
                } else {
                    try await sql.raw("DROP TRIGGER audit_log_no_update").run()
                    try await sql.raw("DROP TRIGGER audit_log_no_delete").run()
                }
                try await sql.raw("UPDATE audit_log SET detail = '{\"name\":\"篡改\"}' WHERE seq = 4").run()
            }
            var result = try await audit.verify()
            #expect(result.firstBroken?.seq == 4 && result.firstBroken?.reason == "entry was altered")
            // A deleted entry is a missing link.
            try await db.transaction { try await $0.raw("DELETE FROM audit_log WHERE seq = 2").run() }
            result = try await audit.verify()
            #expect(result.firstBroken?.seq == 2 && result.firstBroken?.reason == "missing entry")
        }
    }

    @Test func rolledBackWritesLeaveNoEntry() async throws {
        try await TestApp.run { app in
            let f = try await Fixture.build(app)
            let before = try await app.services.audit.list(actor: app.system, filter: AuditFilter(), page: PageRequest(limit: 200), roots: []).items.count
            // A move that fails inside its transaction (duplicate name under the new parent).
            _ = try await app.services.organizations.createChild(
                of: f.countyA2.id, OrgInput(name: f.townA1.name, level: .township, kind: .federation), actor: app.system)
            await #expect(throws: AppError.self) {
                _ = try await app.services.organizations.move(f.townA1.id, to: f.countyA2.id, note: nil, actor: app.system)
            }
            let after = try await app.services.audit.list(actor: app.system, filter: AuditFilter(), page: PageRequest(limit: 200), roots: []).items
            #expect(after.count == before + 1, "only the create")
            #expect(try await app.services.organizations.get(f.townA1.id, actor: app.system).parentId == f.countyA1.id)
        }
    }
}
