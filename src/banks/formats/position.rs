//! Byte offsets, as parsers report them, turned into the 1-based lines and
//! columns a trainer can find in an editor.

pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts; the first is always 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based line of a byte offset; offsets past the end count as the last
    /// line.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }

    /// 1-based line and column (in characters) of a byte offset. An offset
    /// inside a multi-byte character counts as that character.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..)
            .unwrap_or_default()
            .char_indices()
            .take_while(|(i, c)| start + i + c.len_utf8() <= offset)
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines_and_columns() {
        let index = LineIndex::new("ab\ncé\n\nx");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(2), (1, 3));
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(4), (2, 2));
        // Inside the two bytes of "é" still points at it.
        assert_eq!(index.line_col(5), (2, 2));
        assert_eq!(index.line_col(6), (2, 3));
        assert_eq!(index.line_col(8), (4, 1));
        assert_eq!(index.line_col(999), (4, 2));
    }
}
