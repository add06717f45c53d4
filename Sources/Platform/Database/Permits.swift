import NIOCore
import NIOPosix
import Synchronization

/// A counting semaphore whose waits are bounded: a request that cannot get a connection within
/// `timeout` is told so (`DatabaseError.busy`, answered as 503) instead of queueing for ever.
/// Waiters are served first come, first served; a cancelled waiter leaves the queue at once.
final class Permits: Sendable {
    let capacity: Int
    let timeout: Duration
    private let state: Mutex<State>

    private enum Waiter {
        case reserved
        /// Timed out or cancelled before it was queued.
        case abandoned(any Error)
        case waiting(CheckedContinuation<Void, any Error>, Scheduled<Void>?)
    }

    private struct State {
        var available: Int
        var waiters: [UInt64: Waiter] = [:]
        var order = CircularBuffer<UInt64>()
        var nextId: UInt64 = 0
        var timeouts = 0
    }

    init(capacity: Int, timeout: Duration) {
        self.capacity = capacity
        self.timeout = timeout
        self.state = Mutex(State(available: capacity))
    }

    /// Requests in the queue now.
    var waiting: Int { state.withLock { $0.waiters.count } }
    /// Permits held now.
    var inUse: Int { state.withLock { capacity - $0.available } }
    /// Waits that ran out of time since start.
    var timeouts: Int { state.withLock { $0.timeouts } }

    func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextId += 1
            state.waiters[state.nextId] = .reserved
            return state.nextId
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let seconds = timeout.components
                let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(
                    in: .seconds(seconds.seconds) + .nanoseconds(seconds.attoseconds / 1_000_000_000)
                ) { [weak self] in
                    self?.abandon(id, because: .busy)
                    return
                }
                let abandoned = state.withLock { state -> (any Error)? in
                    if case .abandoned(let error) = state.waiters[id] {
                        state.waiters[id] = nil
                        return error
                    }
                    state.waiters[id] = .waiting(continuation, timer)
                    state.order.append(id)
                    return nil
                }
                if let abandoned {
                    timer.cancel()
                    continuation.resume(throwing: abandoned)
                }
            }
        } onCancel: {
            abandon(id, because: nil)
        }
    }

    func release() {
        let next = state.withLock { state -> (CheckedContinuation<Void, any Error>, Scheduled<Void>?)? in
            while let id = state.order.popFirst() {
                if case .waiting(let continuation, let timer) = state.waiters.removeValue(forKey: id) {
                    return (continuation, timer)
                }
            }
            state.available += 1
            return nil
        }
        guard let (continuation, timer) = next else { return }
        timer?.cancel()
        continuation.resume()
    }

    /// Takes a waiter out of the queue: its time ran out (`busy`) or its task was cancelled (nil).
    private func abandon(_ id: UInt64, because error: DatabaseError?) {
        let continuation = state.withLock { state -> (CheckedContinuation<Void, any Error>, Scheduled<Void>?)? in
            switch state.waiters[id] {
            case .reserved:
                if error != nil { state.timeouts += 1 }
                state.waiters[id] = .abandoned(error ?? CancellationError())
                return nil
            case .waiting(let continuation, let timer):
                state.waiters[id] = nil
                if error != nil { state.timeouts += 1 }
                return (continuation, timer)
            case .abandoned, nil:
                return nil
            }
        }
        guard let (continuation, timer) = continuation else { return }
        timer?.cancel()
        continuation.resume(throwing: error ?? CancellationError())
    }

    /// Runs `body` holding a permit, and gives it back however `body` ends.
    func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
