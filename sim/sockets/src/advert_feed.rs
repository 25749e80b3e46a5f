//! The BLE hop as text: adverts read from and written to lines (a file, a FIFO, stdin or
//! stdout), for a desktop and a phone in different processes that share no radio. The
//! line format is [`hybridsim_proto::advert_line`].

use hybridsim_peers::FedAdvert;
use hybridsim_proto::advert_line::{AdvertLine, MAX_LINE};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// Reads advert lines from `reader` until it ends (or `feed`'s receiver is gone), sending
/// each advert, and a description of each line that is not one, on `feed`. Blank and `#`
/// lines are skipped. A line longer than [`MAX_LINE`] is reported and skipped without being
/// held in memory. Returns when the input ends; dropping `feed` then tells the desktop.
pub async fn read_advert_lines<R: AsyncBufRead + Unpin>(
    mut reader: R,
    feed: UnboundedSender<FedAdvert>,
) {
    let mut number = 0usize;
    loop {
        number += 1;
        let mut line = Vec::new();
        let limit = (MAX_LINE + 2) as u64;
        let read = (&mut reader).take(limit).read_until(b'\n', &mut line).await;
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                let _ = feed.send(Err(format!("line {number}: reading failed: {e}")));
                return;
            }
        };
        if n == 0 {
            return;
        }
        if !line.ends_with(b"\n") && line.len() as u64 == limit {
            let why = format!("line {number}: longer than {MAX_LINE} characters; skipped");
            if feed.send(Err(why)).is_err() || !skip_line(&mut reader).await {
                return;
            }
            continue;
        }
        let fed = match std::str::from_utf8(&line) {
            Err(e) => Some(Err(format!("line {number}: not UTF-8: {e}"))),
            Ok(text) => match AdvertLine::parse(text) {
                Ok(None) => None,
                Ok(Some(advert)) => Some(Ok(advert)),
                Err(e) => Some(Err(format!("line {number}: {e}"))),
            },
        };
        if let Some(fed) = fed {
            if feed.send(fed).is_err() {
                return;
            }
        }
    }
}

/// Reads on to the end of an overlong line; false when the input ended or failed.
async fn skip_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> bool {
    loop {
        let mut chunk = Vec::new();
        match reader.take(4096).read_until(b'\n', &mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(_) if chunk.ends_with(b"\n") => return true,
            Ok(_) => {}
        }
    }
}

/// Writes every advert from `adverts` to `writer` as one line, flushed at once so that a
/// reader on the other end of a pipe hears it straight away. Returns when the sender side is
/// gone, or with the write error.
pub async fn write_advert_lines<W: AsyncWrite + Unpin>(
    mut adverts: UnboundedReceiver<AdvertLine>,
    mut writer: W,
) -> std::io::Result<()> {
    while let Some(advert) = adverts.recv().await {
        let mut line = advert.to_line();
        line.push('\n');
        writer.write_all(line.as_bytes()).await?;
        writer.flush().await?;
    }
    Ok(())
}

/// Reads advert lines from `source`, `-` for stdin or a file or FIFO path, as
/// [`read_advert_lines`] does; a path that does not open is one `Err` on `feed`.
pub async fn read_advert_source(source: &str, feed: UnboundedSender<FedAdvert>) {
    if source == "-" {
        read_advert_lines(BufReader::new(tokio::io::stdin()), feed).await;
        return;
    }
    match tokio::fs::File::open(source).await {
        Ok(file) => read_advert_lines(BufReader::new(file), feed).await,
        Err(e) => {
            let _ = feed.send(Err(format!("cannot open {source}: {e}")));
        }
    }
}

/// Writes advert lines to `sink`, `-` for stdout or a file (created, or truncated), as
/// [`write_advert_lines`] does.
pub async fn write_advert_sink(
    adverts: UnboundedReceiver<AdvertLine>,
    sink: &str,
) -> std::io::Result<()> {
    if sink == "-" {
        write_advert_lines(adverts, tokio::io::stdout()).await
    } else {
        let file = tokio::fs::File::create(sink).await?;
        write_advert_lines(adverts, file).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    #[tokio::test]
    async fn lines_become_adverts_and_bad_lines_are_described() {
        let long = "0".repeat(MAX_LINE + 10);
        let input = format!("# comment\nfde2:0102\n\nzz\n{long}\nfff9:ff");
        let (feed, mut heard) = unbounded_channel();
        read_advert_lines(input.as_bytes(), feed).await;
        let mut got = Vec::new();
        while let Some(fed) = heard.recv().await {
            got.push(fed);
        }
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got[0],
            Ok(AdvertLine {
                uuid: 0xfde2,
                data: vec![1, 2]
            })
        );
        assert!(matches!(&got[1], Err(why) if why.starts_with("line 4: payload is not hex")));
        assert!(matches!(&got[2], Err(why) if why.contains("longer than")));
        assert_eq!(
            got[3],
            Ok(AdvertLine {
                uuid: 0xfff9,
                data: vec![0xff]
            })
        );
    }

    #[tokio::test]
    async fn written_lines_read_back() {
        let (tx, rx) = unbounded_channel();
        let advert = AdvertLine {
            uuid: 0xfff9,
            data: vec![9; 20],
        };
        tx.send(advert.clone()).unwrap();
        drop(tx);
        let mut out = Vec::new();
        write_advert_lines(rx, &mut out).await.unwrap();
        let (feed, mut heard) = unbounded_channel();
        read_advert_lines(out.as_slice(), feed).await;
        assert_eq!(heard.recv().await, Some(Ok(advert)));
        assert_eq!(heard.recv().await, None);
    }

    #[tokio::test]
    async fn a_source_that_does_not_open_is_one_error() {
        let (feed, mut heard) = unbounded_channel();
        read_advert_source("/nonexistent/adverts.txt", feed).await;
        let first = heard.recv().await;
        assert!(
            matches!(&first, Some(Err(why)) if why.starts_with("cannot open /nonexistent/adverts.txt: ")),
            "{first:?}"
        );
        assert_eq!(heard.recv().await, None);
    }

    #[tokio::test]
    async fn a_file_sink_reads_back_as_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adverts.txt");
        let path = path.to_str().unwrap();
        let (tx, rx) = unbounded_channel();
        let advert = AdvertLine {
            uuid: 0xfde2,
            data: vec![3; 20],
        };
        tx.send(advert.clone()).unwrap();
        drop(tx);
        write_advert_sink(rx, path).await.unwrap();
        let (feed, mut heard) = unbounded_channel();
        read_advert_source(path, feed).await;
        assert_eq!(heard.recv().await, Some(Ok(advert)));
        assert_eq!(heard.recv().await, None);
    }
}
