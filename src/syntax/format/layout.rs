//! The printer under the formatter: lines, indentation, greedy filling, and comments put back
//! by their position in the source.
//!
//! The formatter hands the printer statements as [`Run`]s of unbreakable [`Piece`]s, in source
//! order. Before each positioned piece the printer writes out every comment that came before it
//! in the source, so comments keep their order and none is lost. A comment that stood alone on
//! its line stays alone on a line; one that followed code stays at the end of a line.

use crate::syntax::ast::Comment;

/// The longest line the printer aims for; a single piece longer than this is not broken.
pub const WIDTH: usize = 100;

/// Extra indentation of the continuation lines of a wrapped statement.
const CONTINUATION: usize = 2;

/// Text that is never broken across lines: a list element with its comma, or a keyword glued to
/// the element after it.
#[derive(Debug, Clone)]
pub struct Piece {
    /// The text.
    pub text: String,
    /// Where the piece's element starts in the source; comments before it are written first.
    pub start: Option<u32>,
    /// The next piece must start a new line (a number that the next word would read as a unit).
    pub line_after: bool,
}

/// One statement: pieces joined by spaces, wrapped at [`WIDTH`] when they do not fit.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// The pieces in source order.
    pub pieces: Vec<Piece>,
    /// When the run is wrapped, always break after this piece (the `=` of a group).
    pub break_after: Option<usize>,
    /// Where the statement ends in the source.
    pub end: u32,
}

/// Writes lines, keeping track of which comments have been written.
pub struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    next: usize,
    lines: Vec<String>,
    /// Whether the last line ends in a comment, so nothing may be appended to it.
    last_has_comment: bool,
    /// The end, in the source, of the last thing written.
    last_end: u32,
}

impl<'a> Printer<'a> {
    /// A printer for a file's text and its comments (in source order).
    pub fn new(src: &'a str, comments: &'a [Comment]) -> Self {
        Printer {
            src,
            comments,
            next: 0,
            lines: Vec::new(),
            last_has_comment: false,
            last_end: 0,
        }
    }

    /// The finished text: every line, each ending in a newline.
    pub fn finish(mut self) -> String {
        let allow_blank = !self.lines.is_empty();
        self.comments_before(u32::MAX, 0, allow_blank, false);
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Writes the comments before a statement starting at `start`, then a blank line if the
    /// source had one there or `force_blank` asks for one. `allow_blank` is false at the start of
    /// a file or block, where no blank line is written.
    pub fn boundary(&mut self, start: u32, indent: usize, force_blank: bool, allow_blank: bool) {
        let wrote_comment = self.comments_before(start, indent, allow_blank, force_blank);
        let blank = self.blank_between(self.last_end, start);
        if (allow_blank || wrote_comment) && (blank || (force_blank && !wrote_comment)) {
            self.lines.push(String::new());
        }
    }

    /// Writes the comments before `end` (such as the closing brace of a block) at `indent`.
    pub fn comments_until(&mut self, end: u32, indent: usize, allow_blank: bool) {
        self.comments_before(end, indent, allow_blank, false);
    }

    /// Whether a comment starts before `pos`.
    pub fn has_comment_before(&self, pos: u32) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|c| c.span.start < pos)
    }

    /// Appends text to the last line (a closing brace after an empty block's opening one).
    pub fn append(&mut self, text: &str) {
        match self.lines.last_mut() {
            Some(line) if !self.last_has_comment => line.push_str(text),
            _ => self.lines.push(text.to_string()),
        }
    }

    /// Writes a line of its own.
    pub fn line(&mut self, indent: usize, text: &str) {
        self.lines.push(format!("{}{text}", " ".repeat(indent)));
        self.last_has_comment = false;
    }

    /// Notes that the source up to `end` has been written.
    pub fn advance(&mut self, end: u32) {
        self.last_end = self.last_end.max(end);
    }

    /// Writes a statement at `indent`: on one line if it fits and holds no comment, otherwise
    /// filled greedily with continuation lines indented further.
    pub fn run(&mut self, run: &Run, indent: usize) {
        let last_start = run.pieces.iter().rev().find_map(|p| p.start).unwrap_or(0);
        let flat = run
            .pieces
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let must_break = run.pieces.iter().rev().skip(1).any(|p| p.line_after);
        if !must_break && !self.has_comment_before(last_start) && indent + width(&flat) <= WIDTH {
            self.line(indent, &flat);
            self.advance(run.end);
            return;
        }
        let cont = indent + CONTINUATION;
        let mut line = " ".repeat(indent);
        let mut fresh = true;
        let mut force_break = false;
        for (i, piece) in run.pieces.iter().enumerate() {
            if let Some(start) = piece.start {
                while let Some(c) = self.take_comment_before(start) {
                    if !fresh && !self.own_line(c) {
                        line.push(' ');
                        line.push_str(&c.text);
                        self.lines
                            .push(std::mem::replace(&mut line, " ".repeat(cont)));
                    } else {
                        if !fresh {
                            self.lines
                                .push(std::mem::replace(&mut line, " ".repeat(cont)));
                        }
                        self.lines.push(format!("{}{}", " ".repeat(cont), c.text));
                    }
                    fresh = true;
                }
            }
            if !fresh && (force_break || width(&line) + 1 + width(&piece.text) > WIDTH) {
                self.lines
                    .push(std::mem::replace(&mut line, " ".repeat(cont)));
                fresh = true;
            }
            if !fresh {
                line.push(' ');
            }
            line.push_str(&piece.text);
            fresh = false;
            force_break = run.break_after == Some(i) || piece.line_after;
        }
        self.lines.push(line);
        self.last_has_comment = false;
        self.advance(run.end);
    }

    /// Writes every comment starting before `pos`: one that followed code on its line goes at
    /// the end of the last line, one that stood alone gets a line at `indent`, after a blank line
    /// where the source had one (or, for the first, where `force_blank` asks). Returns whether a
    /// comment got a line of its own.
    fn comments_before(
        &mut self,
        pos: u32,
        indent: usize,
        mut allow_blank: bool,
        force_blank: bool,
    ) -> bool {
        let mut wrote = false;
        while let Some(c) = self.take_comment_before(pos) {
            let appendable =
                !self.last_has_comment && self.lines.last().is_some_and(|l| !l.trim().is_empty());
            if appendable && !self.own_line(c) {
                if let Some(line) = self.lines.last_mut() {
                    line.push(' ');
                    line.push_str(&c.text);
                }
            } else {
                let blank = self.blank_between(self.last_end, c.span.start);
                if allow_blank && (blank || (force_blank && !wrote)) {
                    self.lines.push(String::new());
                }
                self.lines.push(format!("{}{}", " ".repeat(indent), c.text));
                wrote = true;
                allow_blank = true;
            }
            self.last_has_comment = true;
            self.advance(c.span.end);
        }
        wrote
    }

    fn take_comment_before(&mut self, pos: u32) -> Option<&'a Comment> {
        let comments = self.comments;
        let c = comments.get(self.next).filter(|c| c.span.start < pos)?;
        self.next += 1;
        Some(c)
    }

    /// Whether nothing but whitespace precedes the comment on its line.
    fn own_line(&self, c: &Comment) -> bool {
        let start = c.span.start as usize;
        let before = self.src.get(..start).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before.get(line_start..).is_none_or(|s| s.trim().is_empty())
    }

    /// Whether the source between two offsets holds an empty line.
    fn blank_between(&self, from: u32, to: u32) -> bool {
        let Some(gap) = self.src.get(from as usize..to as usize) else {
            return false;
        };
        let parts: Vec<&str> = gap.split('\n').collect();
        parts.len() > 2
            && parts
                .get(1..parts.len() - 1)
                .is_some_and(|mid| mid.iter().any(|p| p.trim().is_empty()))
    }
}

/// The display width of a piece of text, counted in characters.
fn width(s: &str) -> usize {
    s.chars().count()
}
