//! A small JSON reader of its own for the source check: numbers keep the
//! text they were written with (no parser in between rounds them), objects
//! keep their keys, and each top-level value knows its line. It shares no
//! code with the export reader the converters use.

/// A JSON value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text, exactly as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// One top-level value of a file and the line it starts on.
#[derive(Debug)]
pub struct Located {
    pub line: usize,
    pub value: Json,
}

/// Every document of an export file: a JSON array of them, or one after
/// another (NDJSON, pretty-printed or not).
pub fn documents(text: &str) -> Result<Vec<Located>, String> {
    let mut reader = Reader::new(text);
    reader.skip_space();
    if reader.peek() == Some(b'[') {
        let line = reader.line;
        let Json::Array(items) = reader.value()? else {
            return Err(format!("line {line}: not an array"));
        };
        reader.skip_space();
        if reader.pos < reader.bytes.len() {
            return Err(format!("line {}: text after the array", reader.line));
        }
        // Lines of array items are not tracked; the array's line stands for them.
        return Ok(items
            .into_iter()
            .map(|value| Located { line, value })
            .collect());
    }
    let mut found = Vec::new();
    while reader.pos < reader.bytes.len() {
        let line = reader.line;
        let value = reader.value()?;
        found.push(Located { line, value });
        reader.skip_space();
    }
    Ok(found)
}

/// One JSON value (what `to_jsonb` prints, for instance).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut reader = Reader::new(text);
    let value = reader.value()?;
    reader.skip_space();
    if reader.pos < reader.bytes.len() {
        return Err(format!("text after the value at byte {}", reader.pos));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("line {}: {what}", self.line))
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn expect(&mut self, literal: &str, value: Json) -> Result<Json, String> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            self.fail("unexpected text")
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_space();
        match self.peek() {
            None => self.fail("unexpected end"),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.expect("true", Json::Bool(true)),
            Some(b'f') => self.expect("false", Json::Bool(false)),
            Some(b'n') => self.expect("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => Ok(self.number()),
            Some(_) => self.fail("not JSON"),
        }
    }

    fn number(&mut self) -> Json {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        Json::Number(self.text[start..self.pos].to_owned())
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return self.fail("a string is not closed");
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escaped = self.peek();
                    self.pos += 1;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => return self.fail("a bad escape"),
                    }
                }
                _ => {
                    // Copy the run of plain characters (UTF-8 stays whole).
                    let start = self.pos;
                    while let Some(c) = self.peek() {
                        if c == b'"' || c == b'\\' {
                            break;
                        }
                        if c == b'\n' {
                            self.line += 1;
                        }
                        self.pos += 1;
                    }
                    out.push_str(&self.text[start..self.pos]);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        let value = u32::from_str_radix(digits, 16).or_else(|_| self.fail("a bad \\u escape"))?;
        self.pos += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.text[self.pos..].starts_with("\\u") {
                return self.fail("a lone surrogate");
            }
            self.pos += 2;
            let second = self.hex4()?;
            0x10000 + ((first - 0xD800) << 10) + (second.wrapping_sub(0xDC00) & 0x3FF)
        } else {
            first
        };
        char::from_u32(code).map_or_else(|| self.fail("a bad code point"), Ok)
    }

    fn array(&mut self) -> Result<Json, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return self.fail("an array is not closed"),
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.pos += 1;
        let mut fields = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(fields));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return self.fail("a key must be a string");
            }
            let key = self.string()?;
            self.skip_space();
            if self.peek() != Some(b':') {
                return self.fail("a key without a value");
            }
            self.pos += 1;
            fields.push((key, self.value()?));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(fields));
                }
                _ => return self.fail("an object is not closed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_documents_their_lines() {
        let docs = documents("{\"a\": 0.30000000000000004, \"b\": [1e+16, -0.0]}\n\n{\"s\": \"z\\u00ebo\\ud83d\\ude00\\n\"}\n")
            .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].line, docs[1].line), (1, 3));
        assert_eq!(
            docs[0].value.get("a"),
            Some(&Json::Number("0.30000000000000004".into()))
        );
        assert_eq!(
            docs[0].value.get("b"),
            Some(&Json::Array(vec![
                Json::Number("1e+16".into()),
                Json::Number("-0.0".into())
            ]))
        );
        assert_eq!(
            docs[1].value.get("s"),
            Some(&Json::String("zëo😀\n".into()))
        );
        let array = documents("[{\"x\": 1}, {\"x\": 2}]").unwrap();
        assert_eq!(array.len(), 2);
        assert!(parse("{\"a\": }").is_err());
        assert!(documents("{\"a\": 1").is_err());
    }
}
