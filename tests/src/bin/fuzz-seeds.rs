//! Writes the fuzz target's seed corpus: every case of the attack suite's
//! malformed-request corpus, plus a few valid requests, one file each.
//!
//! Usage: `cargo run -p spindle-tests --bin fuzz-seeds -- DIR`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus/http_request".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let valid: [&[u8]; 4] = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    ];
    let mut written = 0;
    for (i, bytes) in valid.iter().enumerate() {
        std::fs::write(dir.join(format!("valid-{i}")), bytes)?;
        written += 1;
    }
    for (i, case) in spindle_tests::malformed::malformed_requests()
        .iter()
        .enumerate()
    {
        std::fs::write(dir.join(format!("malformed-{i:03}")), &case.bytes)?;
        written += 1;
    }
    println!("wrote {written} seeds to {}", dir.display());
    Ok(())
}
