import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap logs --invoke-id t-… [--follow]`: a run's output, as the instance wrote it.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the output of a Cloud Assistant invocation; --follow streams it until the run ends."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("invoke-id"), help: "The command execution ID (t-…).")
    var invokeId: String

    @Option(name: .customLong("instance-id"), help: "Which instance's output, when the invocation ran on several.")
    var instanceId: String?

    @Flag(help: "Keep printing new output until the run finishes.")
    var follow = false

    func run() async throws {
        let cloud = try global.makeCloud()
        let results: [InvocationResult]
        do {
            results = try await cloud.describeInvocationResults(regionId: global.regionId, invokeId: invokeId,
                                                                 instanceId: instanceId, contentEncoding: .plainText)
        } catch let e as ECSError { throw ecsFailure(e) }
        guard let first = results.first else {
            throw ecsFailure(ECSError.notFound("InvalidInvokeId.NotFound",
                "The specified invoke ID \(invokeId) does not exist in region \(global.regionId); pass --region if it ran in another."))
        }
        if results.count > 1 && instanceId == nil {
            throw ValidationError("\(invokeId) ran on \(results.count) instances; choose one with --instance-id (\(results.map(\.InstanceId).joined(separator: ", ")))")
        }
        guard follow, let embedded = cloud as? EmbeddedCloud else {
            print(first.Output, terminator: first.Output.hasSuffix("\n") || first.Output.isEmpty ? "" : "\n")
            return
        }
        try await followFile(embedded.outputFile(invokeId: invokeId, instanceId: first.InstanceId), cloud: cloud, instance: first.InstanceId)
    }

    /// Tails the live output file until the invocation is finished and the file drained.
    private func followFile(_ url: URL, cloud: any CloudAPI, instance: String) async throws {
        var offset: UInt64 = 0
        while true {
            let finished = (try? await cloud.describeInvocationResults(
                regionId: global.regionId, invokeId: invokeId, instanceId: instance, contentEncoding: .plainText
            ).first?.isFinished) ?? true
            if let h = try? FileHandle(forReadingFrom: url) {
                try h.seek(toOffset: offset)
                let data = h.readDataToEndOfFile()
                try? h.close()
                offset += UInt64(data.count)
                FileHandle.standardOutput.write(data)
            }
            if finished { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
