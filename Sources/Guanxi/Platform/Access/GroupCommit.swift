/// Writes that arrive while a batch is being written join the next batch (group commit). Each caller
/// waits for its own job's answer; `write` answers every job of a batch.
actor GroupCommit<Job: Sendable> {
    private var waiting: [Job] = []
    private var writing = false
    private let batchSize: Int
    private let write: @Sendable ([Job]) async -> Void

    init(batchSize: Int, write: @escaping @Sendable ([Job]) async -> Void) {
        self.batchSize = batchSize
        self.write = write
    }

    /// Queues the job `make` builds around the caller's continuation and returns what `write` answers it.
    func submit<Answer>(_ make: (CheckedContinuation<Answer, any Error>) -> Job) async throws -> Answer {
        try await withCheckedThrowingContinuation { done in
            waiting.append(make(done))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    /// Writes batches until nobody waits.
    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(batchSize))
            waiting.removeFirst(batch.count)
            await write(batch)
        }
        writing = false
    }
}
