import ArgumentParser
import AppSnapCore
import EmbeddedCloud
import Foundation

/// `appsnap logs --invoke-id t-… [--follow] [--raw]`: a run's output, as the instance wrote
/// it, with terminal control sequences removed unless --raw asks for the bytes.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the output of a Cloud Assistant invocation; --follow streams it until the run ends.",
        discussion: """
        A command's output is whatever it printed, escape sequences included; they are removed \
        (as the console does), so a run cannot recolour, clear or retitle your terminal or hide \
        a line. --raw prints the bytes exactly as they were written.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("invoke-id"), help: "The command execution ID (t-…).")
    var invokeId: String

    @Option(name: .customLong("instance-id"), help: "Which instance's output, when the invocation ran on several.")
    var instanceId: String?

    @Flag(help: "Keep printing new output until the run finishes.")
    var follow = false

    @Flag(help: "Print the output byte for byte, terminal control sequences included.")
    var raw = false

    func run() async throws {
        let cloud = try global.makeCloud()
        let results: [InvocationResult]
        do {
            // Base64 keeps every byte, even those that are not UTF-8, for --raw.
            results = try await cloud.describeInvocationResults(regionId: global.regionId, invokeId: invokeId,
                                                                 instanceId: instanceId, contentEncoding: .base64)
        } catch let e as ECSError { throw ecsFailure(e) }
        guard let first = results.first else {
            throw ecsFailure(ECSError.notFound("InvalidInvokeId.NotFound",
                "The specified invoke ID \(invokeId) does not exist in region \(global.regionId); pass --region if it ran in another."))
        }
        if results.count > 1 && instanceId == nil {
            throw ValidationError("\(invokeId) ran on \(results.count) instances; choose one with --instance-id (\(results.map(\.InstanceId).joined(separator: ", ")))")
        }
        if follow, !(cloud is EmbeddedCloud), !first.isFinished {
            try await followByPolling(cloud: cloud, instance: first.InstanceId)
            return
        }
        guard follow, let embedded = cloud as? EmbeddedCloud else {
            var output = Data(base64Encoded: first.Output) ?? Data(first.Output.utf8)
            if !raw && !output.isEmpty && output.last != UInt8(ascii: "\n") { output.append(UInt8(ascii: "\n")) }
            write(output, final: true)
            return
        }
        try await followFile(embedded.outputFile(invokeId: invokeId, instanceId: first.InstanceId), cloud: cloud, instance: first.InstanceId)
    }

    /// A remote cloud has no file to tail: DescribeInvocationResults is asked again, no
    /// faster than once a second, and more slowly while the service throttles us. Output
    /// arrives Base64 and whole each time; what is new is the part beyond what was printed.
    private func followByPolling(cloud: any CloudAPI, instance: String) async throws {
        let pending = PendingOutput()
        var printed = 0
        var interval: UInt64 = 1_000_000_000
        while true {
            let result: InvocationResult?
            do {
                result = try await cloud.describeInvocationResults(regionId: global.regionId, invokeId: invokeId,
                                                                   instanceId: instance, contentEncoding: .base64).first
                interval = 1_000_000_000
            } catch let e as ECSError where e.Code.hasPrefix("Throttling") {
                interval = min(interval * 2, 30_000_000_000)
                try await Task.sleep(nanoseconds: interval)
                continue
            } catch let e as ECSError { throw ecsFailure(e) }
            guard let result else { write(Data(), final: true, pending: pending); return }
            let output = Data(base64Encoded: result.Output) ?? Data(result.Output.utf8)
            if output.count > printed {
                write(output.suffix(from: output.startIndex + printed), final: false, pending: pending)
                printed = output.count
            }
            if result.isFinished { write(Data(), final: true, pending: pending); return }
            try await Task.sleep(nanoseconds: interval)
        }
    }

    /// Tails the live output file until the invocation is finished and the file drained.
    private func followFile(_ url: URL, cloud: any CloudAPI, instance: String) async throws {
        var offset: UInt64 = 0
        let pending = PendingOutput()
        while true {
            let finished = (try? await cloud.describeInvocationResults(
                regionId: global.regionId, invokeId: invokeId, instanceId: instance, contentEncoding: .plainText
            ).first?.isFinished) ?? true
            if let h = try? FileHandle(forReadingFrom: url) {
                try h.seek(toOffset: offset)
                let data = h.readDataToEndOfFile()
                try? h.close()
                offset += UInt64(data.count)
                write(data, final: false, pending: pending)
            }
            if finished { write(Data(), final: true, pending: pending); return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    /// Prints output as it arrives. A follow's unfinished line waits in `pending`: a sequence
    /// cut between two reads must be seen whole to be removed whole.
    private func write(_ data: Data, final: Bool, pending: PendingOutput = PendingOutput()) {
        if raw { FileHandle.standardOutput.write(data); return }
        var bytes = pending.take() + data
        if !final, let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            pending.keep(bytes[(lastNewline + 1)...])
            bytes = bytes[...lastNewline]
        } else if !final {
            pending.keep(bytes)
            return
        }
        FileHandle.standardOutput.write(Data(TerminalText.sanitized(String(decoding: bytes, as: UTF8.self)).utf8))
    }
}

/// The unfinished line `logs --follow` holds back until its newline arrives.
final class PendingOutput: @unchecked Sendable {
    private var data = Data()
    func take() -> Data { defer { data = Data() }; return data }
    func keep<D: DataProtocol>(_ bytes: D) { data = Data(bytes) }
}
