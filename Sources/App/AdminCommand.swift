import Accounts
import ArgumentParser
import Foundation
import Organizations
import Platform

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Administer accounts.", subcommands: [Create.self, PartnerKey.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a system administrator at the top of the tree (creating the top org if there is none).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Login name") var username: String
        @Option(help: "Display name") var displayName: String = "系统管理员"
        @Option(help: "Password (else WH_ADMIN_PASSWORD, else read from standard input)") var password: String?
        @Option(help: "Name of the top org when the tree is empty") var rootName: String = "省总工会"
        @Option(help: "Region code of the top org when the tree is empty") var rootRegion: String?

        func run() async throws {
            let password = try password ?? ProcessInfo.processInfo.environment["WH_ADMIN_PASSWORD"] ?? {
                print("Password: ", terminator: "")
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password given") }
                return line
            }()
            let (username, displayName, rootName, rootRegion) = (self.username, self.displayName, self.rootName, self.rootRegion)
            let account = try await withServices(options) { services, _ in
                let system = Actor.system("cli")
                var root = try await services.organizations.roots(actor: system).first
                if root == nil {
                    root = try await services.organizations.createRoot(
                        OrgInput(name: rootName, level: .province, kind: .federation, regionCode: rootRegion), actor: system)
                }
                let rootId = root!.id
                let account = try await services.accounts.create(
                    NewAccount(username: username, displayName: displayName, password: password, homeOrgId: rootId), actor: system)
                _ = try await services.accounts.grant(accountId: account.id, roleCode: Role.systemAdmin, orgId: rootId, actor: system)
                return account
            }
            print("已创建系统管理员 \(account.username)（首次登录须绑定动态口令）。")
        }
    }

    struct PartnerKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "partner-key", abstract: "Create a partner app's API key (as the console's 合作方密钥 does) and print its secret once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Name (shown in the audit log as key:<name>)") var name: String
        @Option(help: "Org id: the key acts at this org and below") var orgId: Int64
        @Option(help: "Permissions, comma-separated (e.g. workorder.intake,workorder.read)") var permissions: String
        @Option(help: "Requests per minute") var rate: Int = 60
        @Option(help: "Days until it expires (at most 730)") var days: Int = 365

        func run() async throws {
            let input = PartnerKeyInput(
                name: name, permissions: permissions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, orgId: orgId,
                ratePerMinute: rate, expiresAt: Date().addingTimeInterval(TimeInterval(days) * 86400))
            let (key, secret) = try await withServices(options) { services, _ in
                try await services.partnerKeys.create(input, actor: .system("cli"))
            }
            print("已创建合作方密钥「\(key.name)」（编号 \(key.id)）。密钥只显示这一次：")
            print(secret)
        }
    }
}
