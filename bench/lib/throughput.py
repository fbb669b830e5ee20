"""bench/throughput: build throughput against spaCy's bare tokenizer, measured in one run.

1,000 Arabic and 500 English articles from ../shared/corpus; the tokenizer (spacy.blank(lang)
.tokenizer, the floor of any spaCy pipeline) reads the same title+body texts in this
process, fresh, as a build meets them; then `kgbuild build` runs as a command, with
--jobs 1 and --jobs 2, writing graph.ttl and the Oxigraph store.  Start-up (loading
mappings and pipelines) is measured on a one-article build and shown apart; the ratios use
the whole command.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import measure
import spacy
from common import kgbuild_command, sample, shared_dir, verdict, write_jsonl


def doc_text(record: dict[str, object]) -> str:
    title, text = str(record.get("title") or ""), str(record["text"])
    return f"{title}\n\n{text}" if title else text


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arabic", type=int, default=1000)
    parser.add_argument("--english", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="tokenizer passes (best is kept)")
    args = parser.parse_args()
    records = sample(shared_dir(), args.arabic, args.english)
    texts = [(str(r.get("lang") or "ar"), doc_text(r)) for r in records]
    words = sum(len(text.split()) for _, text in texts)
    # A build meets each text once, with a fresh vocabulary, so the baseline is a fresh
    # tokenizer's first pass over the texts (best of --repeat); a warm second pass, whose
    # words are all cached already, is shown for reference.
    best = warm = float("inf")
    for _ in range(args.repeat):
        tokenizers = {lang: spacy.blank(lang).tokenizer for lang in ("ar", "en")}
        for run in ("first", "second"):
            started = time.perf_counter()
            for lang, text in texts:
                tokenizers[lang if lang in tokenizers else "en"](text)
            seconds = time.perf_counter() - started
            if run == "first":
                best = min(best, seconds)
            else:
                warm = min(warm, seconds)
    tokenizer_rate = len(texts) / best
    print(f"articles {len(texts)} ({args.arabic} Arabic, {args.english} English), {words:,} words")
    print(f"{'':24}{'seconds':>9}{'articles/s':>12}{'words/s':>11}{'peak RSS MB':>13}{'× tokenizer':>13}"
          f"{'PSS MB':>8}")
    label = "spaCy bare tokenizer"
    print(f"{label:24}{best:9.2f}{tokenizer_rate:12.1f}{words / best:11.0f}{'':>13}{1:13.2f}")
    label = "  (warm, second pass)"
    print(f"{label:24}{warm:9.2f}{len(texts) / warm:12.1f}{words / warm:11.0f}{'':>13}"
          f"{(len(texts) / warm) / tokenizer_rate:13.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "sample.jsonl"
        write_jsonl(corpus, records)
        one = Path(tmp) / "one.jsonl"
        write_jsonl(one, records[:1])
        startup = measure.run(kgbuild_command("build", str(one), "-o", f"{tmp}/one", "--jobs", "1",
                                              "--quiet"))
        rates = {}
        for jobs in (1, 2):
            command = kgbuild_command("build", str(corpus), "-o", f"{tmp}/out{jobs}", "--jobs", str(jobs),
                                      "--quiet")
            run = measure.run(command)
            if run.returncode not in (0, 1):
                raise SystemExit(f"build --jobs {jobs} failed:\n{run.stderr}")
            rates[jobs] = len(texts) / run.seconds
            label = f"kgbuild build --jobs {jobs}"
            print(f"{label:24}{run.seconds:9.2f}{rates[jobs]:12.1f}{words / run.seconds:11.0f}"
                  f"{run.peak_rss_mb:13.0f}{rates[jobs] / tokenizer_rate:13.2f}{run.peak_pss_mb:8.0f}")
        steady = len(texts) / max(1e-9, (len(texts) / rates[1]) - startup.seconds)
    print(f"start-up of a build (one article): {startup.seconds:.2f} s; --jobs 1 without it: "
          f"{steady:.1f} articles/s = {steady / tokenizer_rate:.2f} × tokenizer")
    print(f"target --jobs 1 >= 0.40 × tokenizer: {rates[1] / tokenizer_rate:.2f} "
          f"({verdict(rates[1] / tokenizer_rate >= 0.40)})")
    speedup = rates[2] / rates[1]
    print(f"target --jobs 2 >= 1.7 × --jobs 1:   {speedup:.2f} ({verdict(speedup >= 1.7)})")


if __name__ == "__main__":
    main()
