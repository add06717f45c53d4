import Hummingbird

/// The context of every staff route (console and staff API): a fully signed-in staff session, so a
/// handler has its `principal` without unwrapping. Made from the root context; without such a
/// session the request goes no further (401, or the login page).
public struct StaffRequestContext: ChildRequestContext, AppContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let requestId: String
    public let remoteIP: String
    public let session: SessionInfo
    public let who: RequestIdentity

    public init(context: AppRequestContext) throws {
        guard let session = context.session, session.stage == .full else { throw AppError.unauthenticated }
        self.coreContext = context.coreContext
        self.requestId = context.requestId
        self.remoteIP = context.remoteIP
        self.session = session
        self.who = context.who
    }

    public var principal: Principal { session.principal }
    public var staff: Principal? { session.principal }
    public var signedInWorker: WorkerSessionInfo? { nil }
    public var csrfToken: String { session.csrfToken }
    public var actor: Actor { Actor(principal: principal, ip: remoteIP, requestId: requestId) }
    public var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
}

/// The context of member-site pages and worker API routes that need a signed-in worker.
public struct WorkerRequestContext: ChildRequestContext, AppContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let requestId: String
    public let remoteIP: String
    public let worker: WorkerSessionInfo
    public var signedInWorker: WorkerSessionInfo? { worker }
    public let who: RequestIdentity

    public init(context: AppRequestContext) throws {
        guard let worker = context.workerSession else { throw AppError.unauthenticated }
        self.coreContext = context.coreContext
        self.requestId = context.requestId
        self.remoteIP = context.remoteIP
        self.worker = worker
        self.who = context.who
    }

    public var staff: Principal? { nil }
    public var csrfToken: String { worker.csrfToken }
    /// A worker acts as themself: no staff permission anywhere.
    public var actor: Actor { Actor(principal: nil, ip: remoteIP, requestId: requestId) }
    public var requestDecoder: AppRequestDecoder { AppRequestDecoder() }
}
