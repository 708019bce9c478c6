//! The chunked transfer coding (RFC 9112 §7.1), decoded as it arrives.
//!
//! A chunked body is a series of chunks, each a size line and that many
//! bytes of data, then a last chunk of size zero, trailer lines and an
//! empty line:
//!
//! ```text
//!   5;ext=1\r\n  hello\r\n  6\r\n  _world\r\n  0\r\n  Trailer: x\r\n  \r\n
//!   └ size ┘     └data┘     └┘     └─data┘     └┘   └─ trailer ─┘  └ end
//! ```
//!
//! A body may arrive in any number of reads, split anywhere, so the
//! decoder is a state machine that remembers where in that grammar it
//! stopped: every byte is looked at once, whatever the split, and a body
//! sent in 1 KiB pieces costs what it costs in one piece. Data bytes are
//! copied to the body in runs; only the framing is walked byte by byte.
//!
//! The grammar is kept strictly, since a lenient chunk parser is how
//! request smuggling works (a proxy and a server that split a body
//! differently see different requests): a size is one or more hex digits
//! that fit 64 bits, every line ends in CRLF (a bare CR or LF is an
//! error), data is followed by CRLF, and whitespace is allowed only before
//! an extension's `;` (RFC 9112 §7.1.1's BWS). Extensions and trailer
//! fields are skipped (RFC 9112 §7.1.1: unrecognized extensions MUST be
//! ignored).

use crate::http::framing::Reject;

/// Framing bytes (size lines, extensions, trailers) allowed beyond the
/// body limit: a flood of tiny chunks or of trailers is refused with
/// `413` once it passes `max_body` plus this, like a body too large.
const FRAMING_SLACK: usize = 64 * 1024;

/// Where the decoder is in the chunked grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In a chunk's size: its value so far and how many hex digits.
    Size { value: u64, digits: u8 },
    /// Whitespace after the size: only a `;` may follow.
    SizeSpace { value: u64 },
    /// In a chunk extension, skipped up to the CR.
    Extension { value: u64 },
    /// The size line's CR was seen; its LF must follow.
    SizeLf { value: u64 },
    /// In a chunk's data: this many bytes left.
    Data { left: u64 },
    /// After a chunk's data: its CR must follow.
    DataCr,
    /// After a chunk's data and CR: the LF must follow.
    DataLf,
    /// At the start of a trailer line, or of the empty line that ends the
    /// body.
    LineStart,
    /// In a trailer line, skipped up to the CR.
    Trailer,
    /// A trailer line's CR was seen; its LF must follow.
    TrailerLf,
    /// The final empty line's CR was seen; its LF ends the body.
    EndLf,
}

/// A chunked body's decoder; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Chunks {
    /// Where the decoder stopped.
    state: State,
    /// Framing bytes seen so far, for the flood limit ([`FRAMING_SLACK`]).
    framing: usize,
    /// Encoded bytes consumed so far (framing and data).
    pub(crate) consumed: usize,
}

impl Chunks {
    /// A decoder at the start of a body.
    pub(crate) fn new() -> Chunks {
        Chunks {
            state: State::Size {
                value: 0,
                digits: 0,
            },
            framing: 0,
            consumed: 0,
        }
    }

    /// Decodes what `data` holds of the body, appending its data to
    /// `body`. Returns how many bytes of `data` it used and whether the
    /// body ended there (what follows is the next request).
    ///
    /// # Errors
    ///
    /// `BadRequest` for bytes outside the grammar; `PayloadTooLarge` for a
    /// body over `max_body` or a flood of framing.
    pub(crate) fn decode(
        &mut self,
        data: &[u8],
        body: &mut Vec<u8>,
        max_body: usize,
    ) -> Result<(usize, bool), Reject> {
        let mut at = 0;
        let mut framing = 0;
        let done = loop {
            let Some(&byte) = data.get(at) else {
                break false;
            };
            // Data: a run at once.
            if let State::Data { left } = self.state {
                let run = left.min((data.len() - at) as u64) as usize;
                body.extend_from_slice(&data[at..at + run]);
                at += run;
                self.state = match left - run as u64 {
                    0 => State::DataCr,
                    left => State::Data { left },
                };
                continue;
            }
            at += 1;
            framing += 1;
            self.state = match (self.state, byte) {
                (State::Size { value, digits }, _) if byte.is_ascii_hexdigit() => {
                    // RFC 9112 §7.1: anticipate overflow; leading zeros
                    // are not digits that count.
                    if value > u64::MAX >> 4 {
                        return Err(Reject::BadRequest);
                    }
                    let digit = (byte as char).to_digit(16).unwrap_or(0);
                    State::Size {
                        value: value << 4 | u64::from(digit),
                        digits: digits.saturating_add(1),
                    }
                }
                (State::Size { value, digits }, b';') if digits > 0 => State::Extension { value },
                (State::Size { value, digits }, b' ' | b'\t') if digits > 0 => {
                    State::SizeSpace { value }
                }
                (State::Size { value, digits }, b'\r') if digits > 0 => State::SizeLf { value },
                (State::SizeSpace { value }, b' ' | b'\t') => State::SizeSpace { value },
                (State::SizeSpace { value }, b';') => State::Extension { value },
                (State::Extension { value }, b'\r') => State::SizeLf { value },
                (State::Extension { value }, _) if !is_control(byte) => State::Extension { value },
                (State::SizeLf { value: 0 }, b'\n') => State::LineStart,
                (State::SizeLf { value }, b'\n') => {
                    if (body.len() as u64).saturating_add(value) > max_body as u64 {
                        return Err(Reject::PayloadTooLarge);
                    }
                    State::Data { left: value }
                }
                (State::DataCr, b'\r') => State::DataLf,
                (State::DataLf, b'\n') => State::Size {
                    value: 0,
                    digits: 0,
                },
                (State::LineStart, b'\r') => State::EndLf,
                (State::Trailer, b'\r') => State::TrailerLf,
                (State::LineStart | State::Trailer, _) if byte != b'\n' => State::Trailer,
                (State::TrailerLf, b'\n') => State::LineStart,
                (State::EndLf, b'\n') => break true,
                _ => return Err(Reject::BadRequest),
            };
        };
        self.framing += framing;
        self.consumed += at;
        if self.framing > max_body.saturating_add(FRAMING_SLACK) {
            return Err(Reject::PayloadTooLarge);
        }
        Ok((at, done))
    }
}

/// Whether `byte` is a control character other than HTAB: never part of
/// an extension (RFC 9110 §5.6.2 tokens and quoted strings).
fn is_control(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') || byte == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `encoded` fed in pieces of `piece` bytes: the body, and how
    /// many bytes of `encoded` it took.
    fn decode_in(encoded: &[u8], piece: usize) -> Result<Option<(Vec<u8>, usize)>, Reject> {
        let mut chunks = Chunks::new();
        let mut body = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut taken = 0;
        for part in encoded.chunks(piece) {
            pending.extend_from_slice(part);
            let (used, done) = chunks.decode(&pending, &mut body, 1024)?;
            pending.drain(..used);
            taken += used;
            if done {
                return Ok(Some((body, taken)));
            }
        }
        Ok(None)
    }

    #[test]
    fn any_split_decodes_the_same_body() {
        let encoded = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: y\r\n\r\nNEXT";
        for piece in 1..encoded.len() {
            let (body, used) = decode_in(encoded, piece).unwrap().unwrap();
            assert_eq!(body, b"hello world", "pieces of {piece}");
            assert_eq!(&encoded[used..], b"NEXT");
        }
    }

    #[test]
    fn bare_line_ends_and_bad_sizes_are_rejected() {
        for encoded in [
            &b"5\nhello\r\n0\r\n\r\n"[..],
            b"5\rhello\r\n0\r\n\r\n",
            b"5\r\nhello\n0\r\n\r\n",
            b"5\r\nhelloX\r\n0\r\n\r\n",
            b"0\n\r\n",
            b"0\r\nX: 1\n\r\n",
            b"0\r\n\n",
            b"zz\r\n",
            b" 5\r\nhello\r\n",
            b"-5\r\n",
            b"0x5\r\n",
            b"5 \r\n",
            b"\r\n",
            b"10000000000000005\r\n",
            b"5;a\x00b\r\n",
        ] {
            assert_eq!(
                decode_in(encoded, encoded.len()),
                Err(Reject::BadRequest),
                "{:?}",
                String::from_utf8_lossy(encoded)
            );
        }
    }

    #[test]
    fn leading_zeros_whitespace_before_an_extension_and_quotes_are_accepted() {
        for encoded in [
            &b"0005\r\nhello\r\n0\r\n\r\n"[..],
            b"5 ;a=b\r\nhello\r\n0\r\n\r\n",
            b"5;a=\"b c\"\r\nhello\r\n0;last\r\n\r\n",
            b"00000000000000000000005\r\nhello\r\n0\r\n\r\n",
        ] {
            let (body, _) = decode_in(encoded, 3).unwrap().unwrap();
            assert_eq!(body, b"hello");
        }
    }

    #[test]
    fn a_body_over_the_limit_or_a_flood_of_framing_is_too_large() {
        assert_eq!(decode_in(b"401\r\n", 8), Err(Reject::PayloadTooLarge));
        let mut flood = Vec::new();
        while flood.len() < 2 * FRAMING_SLACK {
            flood.extend_from_slice(b"1;xxxxxxxxxxxxxxxx\r\na\r\n");
        }
        assert!(matches!(
            decode_in(&flood, 4096),
            Err(Reject::PayloadTooLarge)
        ));
    }
}
