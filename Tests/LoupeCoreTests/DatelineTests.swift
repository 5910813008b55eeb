import Testing

@testable import LoupeCore

struct DatelineTests {
    @Test(arguments: [
        ("TOKYO, March 5 - Japanese private plant", "Japanese private plant"),
        ("  NEW YORK, March 2 - Shares rose", "Shares rose"),
        ("WASHINGTON, Feb. 26 - The Senate", "The Senate"),
        ("LONDON, Jan 5 (Reuters) - Oil fell", "Oil fell"),
        ("BAGHDAD (AP) — Talks resumed", "Talks resumed"),
        ("ST. LOUIS, April 1 -- Ralston Purina", "Ralston Purina"),
        ("KUALA LUMPUR, June 19 – Palm oil", "Palm oil"),
        ("    PORTLAND, Ore., Feb 26 - Net income", "Net income"),
        ("SANTA CRUZ, Calif., Feb 26 -\n    Sales", "    Sales"),
        ("RICHMOND, Va. Feb 26 - Dominion", "Dominion"),
    ])
    func stripsDatelines(text: String, rest: String) {
        #expect(Dateline.stripped(text) == rest)
    }

    @Test(arguments: [
        "Today, March 5 - nothing happened.", "The USA - a country", "IRAN talks resumed in Baghdad.",
        "NEW YORK is large - very.", "A, March 5 - too short a place", "TOKYO, Marchuaryxy 5 - a month word too long",
        "TOKYO, March 123 - day too long", "", "   ", "TOKYO, March 5 -no space after the dash",
        "PORTLAND, Oregon is rainy - often.",
    ])
    func leavesOtherTextAlone(text: String) {
        #expect(Dateline.length(text) == 0, "\(text)")
    }
}
