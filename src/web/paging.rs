//! Keyset paging, shared by every list page and API: a page asks for one row
//! more than it shows, so it knows whether another page follows without a
//! count, and the next page starts after the last row shown (`?after=` or
//! `?before=` an id), which costs the same deep in a list as at its top.

use std::fmt::Display;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};

/// Rows on a list page.
pub const PAGE_SIZE: i64 = 25;

/// A page size asked for, kept between 1 and `max`.
pub fn size(requested: Option<i64>, default: i64, max: i64) -> i64 {
    requested.unwrap_or(default).clamp(1, max)
}

/// How many rows to load for a page of `size`: one more, to learn whether
/// another page follows.
pub fn fetch(size: i64) -> i64 {
    size.saturating_add(1)
}

/// Rows loaded with `fetch(size)`, cut to `size`, and where the next page
/// starts when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T, C> {
    pub rows: Vec<T>,
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// Cuts `rows` to `size`; when more were loaded, the next page starts
    /// after the last row kept (`cursor` reads its key).
    pub fn cut(mut rows: Vec<T>, size: i64, cursor: impl Fn(&T) -> C) -> Self {
        let size = usize::try_from(size).unwrap_or(0);
        let more = rows.len() > size;
        rows.truncate(size);
        let next = if more { rows.last().map(cursor) } else { None };
        Page { rows, next }
    }
}

/// Rows on an API page when the request does not say.
pub const API_DEFAULT: i64 = 50;
/// The most rows one API page holds.
pub const API_MAX: i64 = 200;

/// `?after=&limit=`: the paging every API list takes.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_after` of the previous page; leave out for the first page.
    #[param(max_length = 20, example = "42")]
    pub after: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The page size asked for, within the API's bounds.
    pub fn size(&self) -> i64 {
        size(self.limit, API_DEFAULT, API_MAX)
    }

    /// The id the page starts after, read from the cursor.
    pub fn after_id(&self) -> AppResult<Option<i32>> {
        after_id(self.after.as_deref())
    }
}

/// Reads a cursor this API handed out (`next_after`). Cursors are opaque to
/// clients; today each is the decimal id of the previous page's last row.
pub fn after_id(after: Option<&str>) -> AppResult<Option<i32>> {
    match after.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<i32>().map(Some).map_err(|_| {
            AppError::invalid_field(
                "after",
                "`after` must be the `next_after` value of a previous page; leave it out for the first page.",
            )
        }),
    }
}

/// One page of any API list: its rows, and the cursor for the next page.
/// Every list under `/api/v1` answers in this shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paged<T> {
    /// This page's rows, in the list's order.
    pub items: Vec<T>,
    /// Pass as `?after=` to get the next page; null on the last page.
    #[schema(max_length = 20, example = "42")]
    pub next_after: Option<String>,
}

impl<T> Paged<T> {
    /// The API form of a page cut with `Page::cut`.
    pub fn from_page<C: Display>(page: Page<T, C>) -> Self {
        Paged {
            items: page.rows,
            next_after: page.next.map(|c| c.to_string()),
        }
    }

    /// Rows of another type, same cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }
}

/// The links under a list: to the next page, and back to the first once
/// past it. Rendered by `templates/_partials/pager.html`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pager {
    pub next: Option<Link>,
    pub first: Option<Link>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub href: String,
    pub label: &'static str,
}

impl Link {
    /// The address for an `href` attribute, written as the pages always wrote
    /// it (`&amp;` between parameters). The pager partial prints it `safe`,
    /// so every character HTML gives a meaning to is escaped here.
    pub fn html_href(&self) -> String {
        let mut out = String::with_capacity(self.href.len() + 8);
        for c in self.href.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }
}

impl Pager {
    /// The link to the page after `next` at `path`; `query` is the list's
    /// other parameters, already encoded (empty for none), `param` is
    /// `after` or `before`.
    pub fn next(path: &str, query: &str, param: &str, next: Option<impl Display>, label: &'static str) -> Pager {
        Pager {
            next: next.map(|cursor| Link {
                href: match query {
                    "" => format!("{path}?{param}={cursor}"),
                    query => format!("{path}?{query}&{param}={cursor}"),
                },
                label,
            }),
            first: None,
        }
    }

    /// Adds the link back to the first page (`href`), shown when this page
    /// is not the first.
    pub fn with_first(mut self, first_page: bool, href: impl Into<String>, label: &'static str) -> Pager {
        if !first_page {
            self.first = Some(Link {
                href: href.into(),
                label,
            });
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_more_rows_behind_it_starts_the_next_after_its_last_row() {
        let page = Page::cut((1..=26).collect::<Vec<i32>>(), 25, |r| *r);
        assert_eq!(page.rows.len(), 25);
        assert_eq!(page.next, Some(25));
    }

    #[test]
    fn the_last_page_has_no_next_page() {
        let exactly = Page::cut((1..=25).collect::<Vec<i32>>(), 25, |r| *r);
        assert_eq!((exactly.rows.len(), exactly.next), (25, None));
        let short = Page::cut(vec![7], 25, |r: &i32| *r);
        assert_eq!((short.rows, short.next), (vec![7], None));
        let empty = Page::cut(Vec::<i32>::new(), 25, |r| *r);
        assert_eq!(empty.next, None);
    }

    #[test]
    fn a_page_loads_one_row_more_than_it_shows() {
        assert_eq!(fetch(PAGE_SIZE), 26);
        assert_eq!(fetch(i64::MAX), i64::MAX);
    }

    #[test]
    fn a_page_size_stays_within_its_bounds() {
        assert_eq!(size(None, 50, 500), 50);
        assert_eq!(size(Some(0), 50, 500), 1);
        assert_eq!(size(Some(-3), 50, 500), 1);
        assert_eq!(size(Some(10_000), 50, 500), 500);
        assert_eq!(size(Some(80), 50, 500), 80);
    }

    #[test]
    fn the_next_link_keeps_the_lists_other_parameters() {
        let bare = Pager::next("/marking", "", "after", Some(41), "More attempts");
        assert_eq!(bare.next.map(|l| l.href).as_deref(), Some("/marking?after=41"));
        let filtered = Pager::next("/banks/3", "tag=algebra", "after", Some(9), "Next page");
        assert_eq!(
            filtered.next.map(|l| l.href).as_deref(),
            Some("/banks/3?tag=algebra&after=9")
        );
        let last = Pager::next("/drives", "", "before", None::<i32>, "Older drives");
        assert_eq!(last.next, None);
    }

    #[test]
    fn a_link_escapes_its_address_for_html() {
        let link = Link {
            href: "/admin/notices?status=&after=5\"><script>'".into(),
            label: "Older notices",
        };
        assert_eq!(
            link.html_href(),
            "/admin/notices?status=&amp;after=5&quot;&gt;&lt;script&gt;&#39;"
        );
    }

    #[test]
    fn the_link_back_to_the_first_page_shows_only_past_it() {
        let first = Pager::next("/drives", "", "before", Some(3), "Older drives").with_first(true, "/drives", "Back");
        assert_eq!(first.first, None);
        let later = Pager::default().with_first(false, "/drives", "Back to the newest");
        assert_eq!(later.first.map(|l| l.href).as_deref(), Some("/drives"));
    }
}
