import Foundation

/// What a staff session has reached: a password alone is not a full login for TOTP users.
public enum SessionStage: String, Sendable, Codable {
    case full
    case needsTOTP = "needs_totp"
    case needsEnrolment = "needs_enrolment"
}

public enum SessionKind: String, Sendable, Codable {
    case web
    case api
}

/// The session a request arrived with, as the Accounts domain resolved it.
public struct SessionInfo: Sendable {
    public var id: String
    public var kind: SessionKind
    public var stage: SessionStage
    public var csrfToken: String
    public var principal: Principal

    public init(id: String, kind: SessionKind, stage: SessionStage, csrfToken: String, principal: Principal) {
        self.id = id
        self.kind = kind
        self.stage = stage
        self.csrfToken = csrfToken
        self.principal = principal
    }
}

/// A worker signed in on the member site or the worker API (not a staff account).
public struct WorkerSessionInfo: Sendable {
    public var id: String
    public var workerId: Int64
    public var csrfToken: String
    public var phoneMask: String

    public init(id: String, workerId: Int64, csrfToken: String, phoneMask: String) {
        self.id = id
        self.workerId = workerId
        self.csrfToken = csrfToken
        self.phoneMask = phoneMask
    }
}

