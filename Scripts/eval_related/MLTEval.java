import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.queries.mlt.MoreLikeThis;
import org.apache.lucene.search.*;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Lucene MoreLikeThis on the same documents and sample as `loupe related`.
 * Input: a TSV of docs (id, text) and a file of sample ids. Output: one line per sample id:
 * id<TAB>hit1,hit2,... (the best `depth`, 10 unless given, the source excluded).
 * Args: docs.tsv sample.txt minTermFreq [depth]
 */
public class MLTEval {
    public static void main(String[] args) throws Exception {
        Analyzer analyzer = new EnglishAnalyzer();
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
        cfg.setSimilarity(new BM25Similarity());
        Map<String, Integer> docOf = new HashMap<>();
        List<String> ids = new ArrayList<>();
        try (IndexWriter w = new IndexWriter(dir, cfg);
             BufferedReader r = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                int tab = line.indexOf('\t');
                String id = line.substring(0, tab);
                Document d = new Document();
                d.add(new StringField("id", id, Field.Store.YES));
                d.add(new TextField("text", line.substring(tab + 1), Field.Store.YES));
                docOf.put(id, ids.size());
                ids.add(id);
                w.addDocument(d);
            }
            w.forceMerge(1);
        }
        int minTf = Integer.parseInt(args[2]);
        int depth = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(new BM25Similarity());
            MoreLikeThis mlt = new MoreLikeThis(reader);
            mlt.setAnalyzer(analyzer);
            mlt.setFieldNames(new String[] {"text"});
            mlt.setMinTermFreq(minTf);
            for (String id : Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8)) {
                if (id.isEmpty()) continue;
                Integer doc = docOf.get(id);
                StringBuilder out = new StringBuilder(id).append('\t');
                if (doc != null) {
                    Query q = mlt.like(doc);
                    TopDocs top = searcher.search(q, depth + 1);
                    int n = 0;
                    for (ScoreDoc sd : top.scoreDocs) {
                        if (sd.doc == doc || n == depth) continue;
                        if (n > 0) out.append(',');
                        out.append(ids.get(sd.doc));
                        n++;
                    }
                }
                System.out.println(out);
            }
        }
    }
}
