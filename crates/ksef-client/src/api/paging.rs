//! Both paging styles of the API as `Stream`s of items: continuation token
//! (`x-continuation-token` header) and offset (`pageOffset` with `hasMore`).

use std::future::Future;

use futures::{Stream, TryStreamExt, stream};

use crate::error::Result;

/// Items of every page, fetched lazily. `fetch(token)` returns a page and the next token
/// (absent or empty on the last page).
pub(crate) fn by_continuation<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Unpin
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>)>>,
{
    Box::pin(
        stream::try_unfold(
            (fetch, Some(None::<String>)),
            |(mut fetch, next)| async move {
                let Some(token) = next else {
                    return Ok::<_, crate::Error>(None);
                };
                let (items, more) = fetch(token).await?;
                let next = more.filter(|t| !t.is_empty()).map(Some);
                Ok(Some((items, (fetch, next))))
            },
        )
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten(),
    )
}

/// Items of every page by offset. `fetch(offset)` returns a page and whether more follow.
pub(crate) fn by_offset<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Unpin
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, bool)>>,
{
    Box::pin(
        stream::try_unfold((fetch, Some(0u32)), |(mut fetch, next)| async move {
            let Some(offset) = next else {
                return Ok::<_, crate::Error>(None);
            };
            let (items, more) = fetch(offset).await?;
            let next = (more && !items.is_empty()).then_some(offset + 1);
            Ok(Some((items, (fetch, next))))
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten(),
    )
}
