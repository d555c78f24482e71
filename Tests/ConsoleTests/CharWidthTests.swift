import Foundation
import Testing
@testable import Console

/// The grid's idea of a character's width must match the terminal's (glibc's wcwidth, by
/// which ncurses draws), or a wide glyph's right half is drawn over.
@Suite struct CharWidthTests {
    @Test func emojiScriptsPrintTakeTwoCellsAndTheConsolesOwnGlyphsOne() {
        for wide in ["✅", "❌", "⚡", "⭐", "⌛", "☕", "🚀", "🟢", "🫡", "中"] {
            #expect(CharWidth.of(Character(wide)) == 2, "\(wide)")
        }
        for narrow in ["✔", "✘", "●", "○", "▶", "…", "─", "│", "█", "a", "🌡"] {
            #expect(CharWidth.of(Character(narrow)) == 1, "\(narrow)")
        }
    }

    @Test func agreesWithThisMachinesWcwidthOverTheSymbolAndEmojiBlocks() throws {
        // glibc's own table, in a UTF-8 locale; skipped where C.UTF-8 is missing. wcwidth is
        // behind _XOPEN_SOURCE in the headers Swift sees, so it is looked up by name.
        typealias WcWidth = @convention(c) (Int32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "wcwidth") else { print("skipped: no wcwidth"); return }
        let wcwidth = unsafeBitCast(sym, to: WcWidth.self)
        let before = String(cString: setlocale(LC_CTYPE, nil))
        defer { setlocale(LC_CTYPE, before) }
        guard setlocale(LC_CTYPE, "C.UTF-8") != nil else { print("skipped: no C.UTF-8 locale"); return }
        var differ: [String] = []
        for v in Array(0x2000...0x2bff) + Array(0x1f000...0x1faff) {
            guard let scalar = Unicode.Scalar(UInt32(v)), scalar.properties.generalCategory != .unassigned else { continue }
            let theirs = Int(wcwidth(Int32(v)))
            guard theirs >= 1 else { continue }
            if CharWidth.of(Character(scalar)) != theirs { differ.append(String(format: "U+%04X", v)) }
        }
        #expect(differ.isEmpty, "cells differ from wcwidth for \(differ.prefix(20))")
    }
}
