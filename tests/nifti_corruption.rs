//! Damaged NIfTI files are refused with an error or read whole, never a
//! panic: a valid file has random header bytes overwritten (dimensions,
//! data type, voxel sizes, offsets, scaling, orientation all live there),
//! its voxel data altered, or its end cut off, plain and gzipped.
//!
//! Whatever is read must still be a volume the rest of the pipeline can
//! trust: a grid with positive finite voxel sizes and a finite orientation,
//! as many finite voxels as its dimensions say.

use std::fs;
use std::path::Path;

use ndarray::Array3;
use proptest::prelude::*;
use radcohort::imaging::{Geometry, read_header, read_volume, write_volume};

/// A small valid volume with an oblique grid and varied values.
fn valid_file(path: &Path) {
    let values = Array3::from_shape_fn((5, 4, 3), |(i, j, k)| (i * 12 + j * 3 + k) as i16 - 20);
    let grid = Geometry {
        dims: [5, 4, 3],
        spacing: [0.8, 0.9, 3.0],
        origin: [-10.0, 4.0, 2.5],
        direction: [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]],
    };
    write_volume(path, &values, &grid).expect("a valid file");
}

/// How a file is damaged.
#[derive(Debug, Clone)]
enum Damage {
    /// Overwrite bytes at (offset, value), offsets within the header.
    Header(Vec<(usize, u8)>),
    /// Overwrite a 4-byte field of the header with a chosen float.
    Float(usize, f32),
    /// Overwrite a 2-byte field of the header with a chosen integer.
    Short(usize, i16),
    /// Flip bytes anywhere in the file as stored.
    Anywhere(Vec<(usize, u8)>),
    /// Keep only this fraction of the file.
    Truncate(f64),
}

fn damage() -> impl Strategy<Value = Damage> {
    let special = prop_oneof![
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(-1.0f32),
        Just(0.0f32),
        Just(1e30f32),
        Just(-1e-30f32),
        any::<f32>(),
    ];
    prop_oneof![
        proptest::collection::vec((0usize..352, any::<u8>()), 1..8).prop_map(Damage::Header),
        // 4-byte aligned fields: pixdim, vox_offset, scl_*, quatern_*,
        // srow_* and more.
        ((0usize..88), special).prop_map(|(i, v)| Damage::Float(i * 4, v)),
        // dim[], datatype, bitpix, slice fields, qform/sform codes.
        ((20usize..176), any::<i16>()).prop_map(|(i, v)| Damage::Short(i * 2, v)),
        proptest::collection::vec((0usize..4096, any::<u8>()), 1..8).prop_map(Damage::Anywhere),
        (0.0f64..1.0).prop_map(Damage::Truncate),
    ]
}

/// Applies `damage` to the uncompressed bytes of a NIfTI file.
fn apply(bytes: &mut Vec<u8>, damage: &Damage) {
    match damage {
        Damage::Header(changes) | Damage::Anywhere(changes) => {
            let len = bytes.len();
            for &(at, value) in changes {
                bytes[at % len] = value;
            }
        }
        Damage::Float(at, value) => bytes[*at..*at + 4].copy_from_slice(&value.to_le_bytes()),
        Damage::Short(at, value) => bytes[*at..*at + 2].copy_from_slice(&value.to_le_bytes()),
        Damage::Truncate(fraction) => {
            let keep = (bytes.len() as f64 * fraction) as usize;
            bytes.truncate(keep);
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// Reads `path` both ways; a successful read must describe a usable grid.
fn check(path: &Path) -> Result<(), TestCaseError> {
    let header = read_header(path);
    let volume = read_volume(path);
    if let Ok(loaded) = &volume {
        let geometry = &loaded.volume.geometry;
        prop_assert!(
            geometry.spacing.iter().all(|s| s.is_finite() && *s > 0.0),
            "spacing {:?}",
            geometry.spacing
        );
        prop_assert!(
            geometry.origin.iter().all(|v| v.is_finite())
                && geometry.direction.iter().flatten().all(|v| v.is_finite()),
            "{geometry:?}"
        );
        let voxels: usize = geometry.dims.iter().product();
        prop_assert_eq!(loaded.volume.data.len(), voxels);
        prop_assert!(loaded.volume.data.iter().all(|v| v.is_finite()));
        prop_assert!(header.is_ok(), "the volume reads but its header does not");
    }
    if let Err(error) = &volume {
        // The message names the file.
        prop_assert!(
            error.to_string().contains("v.nii"),
            "a message without the file: {error}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn damaged_files_are_refused_or_read_whole(damage in damage(), gzipped in any::<bool>()) {
        let dir = tempfile::tempdir().expect("a folder");
        let plain = dir.path().join("v.nii");
        valid_file(&plain);
        let mut bytes = fs::read(&plain).expect("the file");
        apply(&mut bytes, &damage);
        let path = if gzipped {
            let path = dir.path().join("v.nii.gz");
            fs::write(&path, gzip(&bytes)).expect("written");
            path
        } else {
            fs::write(&plain, &bytes).expect("written");
            plain
        };
        check(&path)?;
    }

    #[test]
    fn damaged_gzip_streams_are_refused_or_read_whole(
        changes in proptest::collection::vec((0usize..4096, any::<u8>()), 1..6),
        cut in proptest::option::of(0.0f64..1.0),
    ) {
        let dir = tempfile::tempdir().expect("a folder");
        let plain = dir.path().join("v.nii");
        valid_file(&plain);
        let mut stored = gzip(&fs::read(&plain).expect("the file"));
        for (at, value) in changes {
            let at = at % stored.len();
            stored[at] = value;
        }
        if let Some(fraction) = cut {
            stored.truncate((stored.len() as f64 * fraction) as usize);
        }
        let path = dir.path().join("v.nii.gz");
        fs::write(&path, &stored).expect("written");
        check(&path)?;
    }
}
