import Foundation
import LoupeTestSupport
import Testing

@testable import LoupeCore
@testable import LoupeIngest

struct MediaWikiLoaderTests {
    static let export = """
        <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
          <siteinfo>
            <sitename>Porthaven Wiki</sitename>
            <base>https://wiki.porthaven.example/wiki/Main_Page</base>
            <namespaces>
              <namespace key="0" case="first-letter" />
              <namespace key="4" case="first-letter">Porthaven Wiki</namespace>
            </namespaces>
          </siteinfo>
          <page>
            <title>Quay Café</title>
            <ns>0</ns>
            <id>11</id>
            <revision>
              <id>901</id>
              <timestamp>2020-01-01T00:00:00Z</timestamp>
              <contributor><username>Old Editor</username><id>3</id></contributor>
              <text xml:space="preserve">zqoldrevision text</text>
            </revision>
            <revision>
              <id>902</id>
              <parentid>901</parentid>
              <timestamp>2024-06-02T17:45:10Z</timestamp>
              <contributor><username>Brine Archivist</username><id>12</id></contributor>
              <text xml:space="preserve">{{Infobox|zqtemplate}}The '''café''' serves [[crab]]s.&lt;ref&gt;zqref&lt;/ref&gt;
        [[Category:Cafés]] [[Category:Quay|Cafe]]</text>
            </revision>
          </page>
          <page>
            <title>Café</title>
            <ns>0</ns>
            <id>12</id>
            <redirect title="Quay Café" />
            <revision><id>903</id><timestamp>2024-01-01T00:00:00Z</timestamp>
              <contributor><username>X</username><id>1</id></contributor>
              <text xml:space="preserve">#REDIRECT [[Quay Café]]</text></revision>
          </page>
          <page>
            <title>Old Café</title>
            <id>13</id>
            <revision><id>904</id><timestamp>2024-01-01T00:00:00Z</timestamp>
              <contributor><ip>192.0.2.1</ip></contributor>
              <text xml:space="preserve">  #redirect [[Quay Café]]</text></revision>
          </page>
          <page>
            <title>Talk:Quay Café</title>
            <ns>1</ns>
            <id>14</id>
            <revision><id>905</id><timestamp>2024-01-01T00:00:00Z</timestamp>
              <contributor><username>X</username><id>1</id></contributor>
              <text xml:space="preserve">zqtalk</text></revision>
          </page>
          <page>
            <title>User talk:X</title>
            <id>15</id>
            <revision><id>906</id><text xml:space="preserve">zqusertalk</text></revision>
          </page>
          <page>
            <title>Porthaven Wiki:About</title>
            <id>16</id>
            <revision><id>907</id><text xml:space="preserve">zqproject</text></revision>
          </page>
          <page>
            <title>Tide Mill</title>
            <id>17</id>
            <revision>
              <id>908</id>
              <timestamp>2023-03-14T09:30:00Z</timestamp>
              <contributor><ip>192.0.2.7</ip></contributor>
              <text xml:space="preserve">The mill: a ratio of 3:1.</text>
            </revision>
          </page>
        </mediawiki>

        """

    func check(_ articles: [Article]) {
        #expect(articles.map(\.title) == ["Quay Café", "Tide Mill"])
        guard articles.count == 2 else { return }
        let a = articles[0]
        #expect(a.id == "11")
        #expect(a.idScope == "wiki")
        #expect(a.body == "The café serves crabs.")
        #expect(a.categories == ["Cafés", "Quay"])
        #expect(a.date == "2024-06-02T17:45:10Z")
        #expect(a.authors == ["Brine Archivist"])
        #expect(a.link == "https://wiki.porthaven.example/wiki/Quay_Caf%C3%A9")
        #expect(a.source == "wiki/export.xml")
        #expect(a.position == 0)
        let b = articles[1]
        #expect(b.id == "17")
        #expect(b.body == "The mill: a ratio of 3:1.")
        #expect(b.authors == [])
        #expect(b.date == "2023-03-14T09:30:00Z")
        #expect(b.position == 1)
    }

    @Test func exportIsDetected() {
        #expect(ArticleFormat.detect(Array(Self.export.utf8)) == .mediaWiki)
        let declared = "<?xml version=\"1.0\"?>\n" + Self.export
        #expect(ArticleFormat.detect(Array(declared.utf8)) == .mediaWiki)
    }

    /// A UTF-16 export (with its byte order mark) is read as an export too, whole and streamed;
    /// it used to be one generic XML article of raw wikitext.
    @Test func utf16ExportsAreExports() throws {
        let utf8 = ArticleLoading.load(Array(Self.export.utf8), relativePath: "wiki/export.xml").articles
        let little: [UInt8] = [0xFF, 0xFE] + Self.export.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + Self.export.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [little, big] {
            #expect(ArticleFormat.detect(bytes) == .mediaWiki)
            let r = ArticleLoading.load(bytes, relativePath: "wiki/export.xml")
            #expect(r.articles == utf8, "\(r.diagnostics)")
            let s = try StreamedCompressionTests.streamed(bytes, "wiki16.xml")
            #expect(s.articles.map(\.title) == utf8.map(\.title))
        }
    }

    @Test func mainNamespacePagesAreArticles() {
        let r = ArticleLoading.load(Array(Self.export.utf8), relativePath: "wiki/export.xml")
        #expect(!r.rejected, "\(r.diagnostics)")
        check(r.articles)
        #expect(
            r.diagnostics.map(\.message) == ["skipped 2 redirects and 3 pages outside the main namespace"],
            "\(r.diagnostics)")
        #expect(r.diagnostics.first?.severity == .note)
    }

    @Test func streamedFromAFileGivesTheSameArticles() throws {
        let (fd, _) = try StreamedCompressionTests.open(Array(Self.export.utf8), "wiki-export.xml")
        defer { close(fd) }
        var got: [Article] = []
        let d = MediaWikiLoader().stream(ByteStream(fd: fd), relativePath: "wiki/export.xml", chunkSize: 64) {
            got.append($0)
        }
        #expect(!d.contains { $0.severity == .error }, "\(d)")
        check(got)
        #expect(got == ArticleLoading.load(Array(Self.export.utf8), relativePath: "wiki/export.xml").articles)
    }

    @Test func largeAndCompressedDumpsAreStreamed() throws {
        let bytes = Array(Self.export.utf8)
        let whole = ArticleLoading.load(bytes, relativePath: "dumps/wiki.xml").articles
        let plain = try StreamedCompressionTests.streamed(bytes, "wiki.xml")
        #expect(plain.articles == whole)
        let gz = try StreamedCompressionTests.streamed(try GzipTests.gzip(bytes), "wiki.xml.gz")
        #expect(!gz.diagnostics.contains { $0.severity == .error }, "\(gz.diagnostics)")
        #expect(gz.articles.map(\.title) == whole.map(\.title))
        #expect(gz.articles.map(\.body) == whole.map(\.body))
        #expect(gz.articles.map(\.id) == whole.map(\.id))
        #expect(gz.articles.first?.idScope == "dumps")
    }

    @Test func truncatedExportIsAnError() throws {
        let bytes = Array(Self.export.utf8)
        let cut = Array(bytes.prefix(bytes.count * 2 / 3))
        let r = ArticleLoading.load(cut, relativePath: "wiki/cut.xml")
        #expect(r.rejected)
        #expect(r.articles.isEmpty)
        let e = r.diagnostics.first { $0.severity == .error }
        #expect(e?.line != nil && e!.line! > 1, "\(r.diagnostics)")
        let s = try StreamedCompressionTests.streamed(cut, "cut-wiki.xml")
        #expect(s.diagnostics.contains { $0.severity == .error }, "\(s.diagnostics)")
    }

    @Test func exportWithoutBaseHasNoLinks() {
        let x = """
            <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/"><page><title>A &amp; B</title><ns>0</ns>
            <id>1</id><revision><id>2</id><text>Hello [[world]].</text></revision></page></mediawiki>
            """
        let r = ArticleLoading.load(Array(x.utf8), relativePath: "x.xml")
        #expect(r.articles.count == 1)
        #expect(r.articles.first?.title == "A & B")
        #expect(r.articles.first?.body == "Hello world.")
        #expect(r.articles.first?.link == nil)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        #expect(
            MediaWikiLoader.linkPrefix("https://w.example/index.php?title=Main_Page")
                == "https://w.example/index.php?title=")
    }
}
