//! Walking every page of a list: an `Iterator` for blocking clients, a `Stream` for async ones. The
//! endpoint ([`Paginated`]) says which request comes next; these only drive it. The clients'
//! `paginate` methods are declared here, so the clients need nothing of the paging.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::client::{AsyncClient, BlockingClient};
use crate::endpoint::Paginated;
use crate::error::Error;
use crate::transport::{AsyncTransport, BlockingTransport};

impl<T: BlockingTransport> BlockingClient<T> {
    /// Every item of a paged list, starting with `first`, as an `Iterator` that fetches the pages as
    /// it advances.
    pub fn paginate<E: Paginated>(&self, first: E) -> Items<'_, T, E> {
        Items::new(self, first)
    }
}

impl<T: AsyncTransport> AsyncClient<T> {
    /// Every item of a paged list, starting with `first`, as a `Stream` that fetches the pages as it
    /// is polled (use `futures::StreamExt::next` or `try_collect`).
    pub fn paginate<E: Paginated>(&self, first: E) -> ItemStream<'_, T, E> {
        ItemStream::new(self, first)
    }
}

/// Every item of a paged list, fetched page by page as the iterator advances. After an error the
/// iterator ends.
pub struct Items<'c, T, E: Paginated> {
    client: &'c BlockingClient<T>,
    next: Option<E>,
    buffer: VecDeque<E::Item>,
}

impl<'c, T, E: Paginated> Items<'c, T, E> {
    pub(crate) fn new(client: &'c BlockingClient<T>, first: E) -> Self {
        Self {
            client,
            next: Some(first),
            buffer: VecDeque::new(),
        }
    }
}

impl<T: BlockingTransport, E: Paginated> Iterator for Items<'_, T, E> {
    type Item = Result<E::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            let request = self.next.take()?;
            match self.client.execute(&request) {
                Ok(page) => {
                    self.next = request.next_page(&page);
                    self.buffer.extend(E::into_items(page));
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

type PageFuture<'c, E> =
    Pin<Box<dyn Future<Output = (E, Result<<E as crate::Endpoint>::Output, Error>)> + Send + 'c>>;

/// Every item of a paged list as a [`futures_core::Stream`], fetched page by page. After an error
/// the stream ends.
pub struct ItemStream<'c, T, E: Paginated> {
    client: &'c AsyncClient<T>,
    next: Option<E>,
    buffer: VecDeque<E::Item>,
    in_flight: Option<PageFuture<'c, E>>,
}

impl<'c, T, E: Paginated> ItemStream<'c, T, E> {
    pub(crate) fn new(client: &'c AsyncClient<T>, first: E) -> Self {
        Self {
            client,
            next: Some(first),
            buffer: VecDeque::new(),
            in_flight: None,
        }
    }
}

impl<'c, T, E> ItemStream<'c, T, E>
where
    T: AsyncTransport,
    E: Paginated + Send + Sync + Unpin + 'c,
    E::Output: Send,
    E::Item: Unpin,
{
    /// The next item, fetching the next page when needed (`None` after the last), without
    /// `futures::StreamExt`: `while let Some(item) = stream.next_item().await { … }`.
    pub async fn next_item(&mut self) -> Option<Result<E::Item, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl<'c, T, E> futures_core::Stream for ItemStream<'c, T, E>
where
    T: AsyncTransport,
    E: Paginated + Send + Sync + Unpin + 'c,
    E::Output: Send,
    E::Item: Unpin,
{
    type Item = Result<E::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.in_flight.is_none() {
                let Some(request) = this.next.take() else {
                    return Poll::Ready(None);
                };
                let client = this.client;
                this.in_flight = Some(Box::pin(async move {
                    let result = client.execute(&request).await;
                    (request, result)
                }));
            }
            let Some(fut) = this.in_flight.as_mut() else {
                return Poll::Ready(None);
            };
            let (request, result) = match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => done,
            };
            this.in_flight = None;
            match result {
                Ok(page) => {
                    this.next = request.next_page(&page);
                    this.buffer.extend(E::into_items(page));
                }
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}
