//! The two protobuf encodings a UnixFS DAG needs, written by hand (they are tiny): dag-pb's
//! `PBNode`/`PBLink`, and UnixFS's `Data`. Fields are written in the canonical order dag-pb requires:
//! a node's links first, then its data.

/// Appends `value` as a protobuf varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    put_varint(out, field << 3 | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_varint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    put_varint(out, field << 3);
    put_varint(out, value);
}

/// UnixFS `Data.Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataType {
    Directory = 1,
    File = 2,
}

/// A UnixFS `Data` message: type, optional inline data, file size and child block sizes.
pub(crate) fn unixfs_data(
    kind: DataType,
    data: &[u8],
    filesize: Option<u64>,
    blocksizes: &[u64],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16 + blocksizes.len() * 4);
    put_varint_field(&mut out, 1, kind as u64);
    if !data.is_empty() {
        put_bytes_field(&mut out, 2, data);
    }
    if let Some(size) = filesize {
        put_varint_field(&mut out, 3, size);
    }
    for size in blocksizes {
        put_varint_field(&mut out, 4, *size);
    }
    out
}

/// The bytes around a chunk's data in a CIDv0 leaf (a dag-pb node holding a UnixFS file node), so
/// the leaf can be hashed as `prefix ‖ data ‖ suffix` without copying the chunk. Equal to
/// `dag_pb_node([], &unixfs_data(File, data, Some(len), &[]))`.
pub(crate) fn file_leaf_frame(len: usize) -> (Vec<u8>, Vec<u8>) {
    let n = len as u64;
    let mut head = vec![0x08, DataType::File as u8];
    if len > 0 {
        put_varint(&mut head, 2 << 3 | 2);
        put_varint(&mut head, n);
    }
    let mut tail = Vec::with_capacity(11);
    put_varint(&mut tail, 3 << 3);
    put_varint(&mut tail, n);
    let mut prefix = vec![0x0a];
    put_varint(&mut prefix, (head.len() + len + tail.len()) as u64);
    prefix.extend_from_slice(&head);
    (prefix, tail)
}

/// One link of a dag-pb node.
pub(crate) struct Link<'a> {
    pub(crate) cid: &'a [u8],
    pub(crate) name: &'a [u8],
    pub(crate) tsize: u64,
}

/// A dag-pb node: the links (in the order given), then the data.
pub(crate) fn dag_pb_node<'a>(links: impl IntoIterator<Item = Link<'a>>, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut link_buf = Vec::new();
    for link in links {
        link_buf.clear();
        put_bytes_field(&mut link_buf, 1, link.cid);
        put_bytes_field(&mut link_buf, 2, link.name);
        put_varint_field(&mut link_buf, 3, link.tsize);
        put_bytes_field(&mut out, 2, &link_buf);
    }
    put_bytes_field(&mut out, 1, data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        for (v, bytes) in [
            (0u64, vec![0u8]),
            (1, vec![1]),
            (127, vec![0x7f]),
            (128, vec![0x80, 0x01]),
            (300, vec![0xac, 0x02]),
            (262_144, vec![0x80, 0x80, 0x10]),
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, bytes, "{v}");
        }
    }

    #[test]
    fn leaf_frame_matches_the_full_encoding() {
        for len in [0usize, 1, 127, 128, 300, 262_144] {
            let data = vec![7u8; len];
            let block = dag_pb_node(
                [],
                &unixfs_data(DataType::File, &data, Some(len as u64), &[]),
            );
            let (prefix, suffix) = file_leaf_frame(len);
            let framed = [prefix, data, suffix].concat();
            assert_eq!(framed, block, "{len}");
        }
    }

    #[test]
    fn empty_file_node_is_the_well_known_block() {
        // QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH is the block 0a 04 08 02 18 00.
        let data = unixfs_data(DataType::File, b"", Some(0), &[]);
        assert_eq!(
            dag_pb_node([], &data),
            vec![0x0a, 0x04, 0x08, 0x02, 0x18, 0x00]
        );
    }
}
