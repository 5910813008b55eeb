import LoupeCore

/// Optimal string alignment distance (insertions, deletions, replacements and swaps of adjacent
/// elements): the reference the fuzzy-word tests check against.
public func optimalStringAlignment<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    EditDistance.optimalStringAlignment(a, b)
}
