use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use flate2::bufread::MultiGzDecoder;
use ndarray::Array3;
use nifti::{DataElement, NiftiHeader, NiftiType, writer::WriterOptions};
use sha2::{Digest, Sha256};

use super::{Geometry, ImagingError};

/// Bytes in a NIfTI-1 header.
const NIFTI1_HEADER_BYTES: usize = 348;
/// The `sizeof_hdr` of a NIfTI-2 header.
const NIFTI2_HEADER_BYTES: i32 = 540;

/// What radcohort needs to know about an image file without loading its
/// voxels into memory.
#[derive(Debug, Clone)]
pub struct ImageHeader {
    /// The grid the voxels sit on.
    pub geometry: Geometry,
    /// The voxel data type.
    pub data_type: NiftiType,
    /// SHA-256 of the file as stored (compressed or not), lowercase hex.
    pub sha256: String,
    /// The parsed header, for callers that need more of it.
    pub raw: NiftiHeader,
}

/// The most voxels radcohort allocates for one volume (2³⁰, 8 GiB as
/// 64-bit floats): a header asking for more is refused before anything is
/// allocated.
pub const MAX_VOXELS: u64 = 1 << 30;

/// Reads and checks a NIfTI-1 file (`.nii` or `.nii.gz`): parses the header,
/// derives the geometry, verifies that the whole gzip stream decodes (its
/// checksum included) and holds all the voxels the header promises, and
/// hashes the file.
///
/// The voxels themselves are not kept.
pub fn read_header(path: &Path) -> Result<ImageHeader, ImagingError> {
    let raw = read_raw(path)?;
    raw.stream_voxels(|_| {})?;
    Ok(ImageHeader {
        sha256: raw.sha256().to_owned(),
        geometry: raw.geometry,
        data_type: raw.data_type,
        raw: raw.header,
    })
}

/// A file read into memory as stored (compressed or not) with its parsed
/// header. Voxels are decoded by streaming through them
/// ([`RawNifti::stream_voxels`]), never by inflating the whole file into
/// one buffer.
#[derive(Debug, Clone)]
pub(crate) struct RawNifti {
    /// The grid the voxels sit on.
    pub geometry: Geometry,
    /// The voxel data type.
    pub data_type: NiftiType,
    /// The parsed header.
    pub header: NiftiHeader,
    /// SHA-256 of `file`, computed when first asked for: extraction
    /// checks it against the study database, a one-off `features` run
    /// does not need it.
    sha256: OnceLock<String>,
    path: PathBuf,
    /// The file as stored.
    file: Vec<u8>,
    gzip: bool,
    /// Offset of the voxels in the decoded stream.
    data_start: usize,
    /// Bytes of voxel data the header promises.
    voxel_bytes: usize,
}

/// Reads a file and checks its header: the size it announces is checked
/// against [`MAX_VOXELS`] before anything is allocated for the voxels, so a
/// corrupt or hostile header cannot make radcohort allocate absurd amounts
/// of memory. Truncation is found when the voxels are streamed.
pub(crate) fn read_raw(path: &Path) -> Result<RawNifti, ImagingError> {
    let file = fs::read(path).map_err(|source| ImagingError::Io {
        path: path.to_owned(),
        source,
    })?;
    let gzip = is_gzip(&file);
    let mut head = Vec::with_capacity(NIFTI1_HEADER_BYTES);
    if gzip {
        MultiGzDecoder::new(file.as_slice())
            .take(NIFTI1_HEADER_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|err| ImagingError::Truncated {
                path: path.to_owned(),
                detail: format!("gzip stream: {err}"),
            })?;
    } else {
        head.extend_from_slice(&file[..file.len().min(NIFTI1_HEADER_BYTES)]);
    }
    let raw = parse_header(path, &head)?;
    let geometry = geometry_from_header(path, &raw)?;
    let data_type = raw.data_type().map_err(|source| ImagingError::Nifti {
        path: path.to_owned(),
        source,
    })?;
    let voxels = geometry.dims.iter().map(|&d| d as u64).product::<u64>();
    if voxels > MAX_VOXELS {
        return Err(ImagingError::InvalidHeader {
            path: path.to_owned(),
            field: "dim",
            value: format!(
                "{}×{}×{} = {voxels} voxels, more than the {MAX_VOXELS} radcohort reads",
                geometry.dims[0], geometry.dims[1], geometry.dims[2]
            ),
        });
    }
    let voxel_bytes = (voxels * data_type.size_of() as u64) as usize;
    // A damaged offset (NaN, infinite, beyond any file radcohort reads)
    // would otherwise saturate to an offset past every slice.
    if !(raw.vox_offset.is_finite() && f64::from(raw.vox_offset) <= MAX_VOX_OFFSET) {
        return Err(ImagingError::InvalidHeader {
            path: path.to_owned(),
            field: "vox_offset",
            value: format!(
                "{} (the voxels' byte offset must be a finite number up to {MAX_VOX_OFFSET})",
                raw.vox_offset
            ),
        });
    }
    let data_start = raw.vox_offset.max(NIFTI1_HEADER_BYTES as f32) as usize;
    Ok(RawNifti {
        geometry,
        data_type,
        header: raw,
        sha256: OnceLock::new(),
        path: path.to_owned(),
        file,
        gzip,
        data_start,
        voxel_bytes,
    })
}

/// The largest voxel offset accepted: 4 GiB of header extensions.
const MAX_VOX_OFFSET: f64 = 4_294_967_296.0;

/// Decoded bytes handed over at a time: large enough to amortise the
/// decoder's calls, small enough to stay in cache.
const STREAM_CHUNK: usize = 1 << 18;

impl RawNifti {
    /// The width of one stored voxel in bytes.
    pub(crate) fn voxel_width(&self) -> usize {
        self.data_type.size_of()
    }

    /// SHA-256 of the file as stored, lowercase hex.
    pub(crate) fn sha256(&self) -> &str {
        self.sha256.get_or_init(|| hex(&Sha256::digest(&self.file)))
    }

    /// Hands every voxel's bytes to `visit` in file order, a run of whole
    /// voxels at a time. The whole stream is read, so a truncated or corrupt
    /// file (its gzip checksum included) is an error, whichever part of the
    /// voxels the caller wanted.
    pub(crate) fn stream_voxels(&self, mut visit: impl FnMut(&[u8])) -> Result<(), ImagingError> {
        let truncated = |detail: String| ImagingError::Truncated {
            path: self.path.clone(),
            detail,
        };
        let missing = |present: usize| {
            truncated(format!(
                "{} bytes of voxel data expected after offset {}, {} present",
                self.voxel_bytes, self.data_start, present
            ))
        };
        if !self.gzip {
            let end = self.data_start + self.voxel_bytes;
            if self.file.len() < end {
                return Err(missing(self.file.len().saturating_sub(self.data_start)));
            }
            for chunk in self.file[self.data_start..end].chunks(STREAM_CHUNK) {
                visit(chunk);
            }
            return Ok(());
        }
        let width = self.voxel_width().max(1);
        // The buffered-read decoder inflates straight from the file in
        // memory (a slice is its own buffer), without first copying the
        // compressed bytes through an internal buffer.
        let mut decoder = MultiGzDecoder::new(self.file.as_slice());
        let mut buffer = vec![0u8; STREAM_CHUNK];
        // Bytes of the stream consumed so far, and a partial voxel carried
        // over from one read to the next.
        let mut position = 0usize;
        let mut filled = 0usize;
        let end = self.data_start + self.voxel_bytes;
        loop {
            let read = decoder
                .read(&mut buffer[filled..])
                .map_err(|err| truncated(format!("gzip stream: {err}")))?;
            if read == 0 {
                break;
            }
            let available = filled + read;
            // The part of this buffer that is voxel data.
            let start = self.data_start.saturating_sub(position).min(available);
            let stop = end.saturating_sub(position).min(available);
            let whole = start + (stop.saturating_sub(start) / width) * width;
            if whole > start {
                visit(&buffer[start..whole]);
            }
            // Keep an incomplete voxel for the next read.
            let carry = stop.saturating_sub(whole);
            buffer.copy_within(whole..whole + carry, 0);
            position += available - carry;
            filled = carry;
            if filled == buffer.len() {
                // Cannot happen: a voxel is at most 16 bytes.
                return Err(truncated("voxel larger than the read buffer".to_owned()));
            }
        }
        let present = (position + filled).min(end).saturating_sub(self.data_start);
        if present < self.voxel_bytes {
            return Err(missing(present));
        }
        Ok(())
    }
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// SHA-256 of a file's bytes as stored, lowercase hex: the checksum kept for
/// every imported image.
pub fn file_checksum(path: &Path) -> Result<String, ImagingError> {
    let bytes = fs::read(path).map_err(|source| ImagingError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(hex(&Sha256::digest(&bytes)))
}

fn parse_header(path: &Path, bytes: &[u8]) -> Result<NiftiHeader, ImagingError> {
    if bytes.len() < NIFTI1_HEADER_BYTES {
        return Err(ImagingError::Truncated {
            path: path.to_owned(),
            detail: format!(
                "{} bytes, a NIfTI-1 header needs {NIFTI1_HEADER_BYTES}",
                bytes.len()
            ),
        });
    }
    let size_field = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let little = i32::from_le_bytes(size_field);
    let big = i32::from_be_bytes(size_field);
    if little == NIFTI2_HEADER_BYTES || big == NIFTI2_HEADER_BYTES {
        return Err(ImagingError::Nifti2 {
            path: path.to_owned(),
        });
    }
    if little != NIFTI1_HEADER_BYTES as i32 && big != NIFTI1_HEADER_BYTES as i32 {
        return Err(ImagingError::NotNifti {
            path: path.to_owned(),
            reason: format!("header size field is {little}, not {NIFTI1_HEADER_BYTES}"),
        });
    }
    NiftiHeader::from_reader(&bytes[..NIFTI1_HEADER_BYTES]).map_err(|source| match source {
        nifti::NiftiError::InvalidFormat => ImagingError::NotNifti {
            path: path.to_owned(),
            reason: "no NIfTI-1 magic code".to_owned(),
        },
        source => ImagingError::Nifti {
            path: path.to_owned(),
            source,
        },
    })
}

/// Derives the grid from a header: dimensions from `dim`, then the
/// voxel-to-world transform from the sform when `sform_code > 0`, else from
/// the qform when `qform_code > 0`, else from `pixdim` alone (NIfTI-1
/// "method 1"). Spacing is the length of each transformed voxel axis.
fn geometry_from_header(path: &Path, header: &NiftiHeader) -> Result<Geometry, ImagingError> {
    let rank = header.dim[0] as usize;
    // The rank is checked before it bounds a slice: a damaged dim[0] below
    // 3 must be refused, not index past the axes.
    let three_to_seven = (3..=7).contains(&rank);
    let extra_axes_are_singleton = three_to_seven && header.dim[4..=rank].iter().all(|&d| d == 1);
    if !extra_axes_are_singleton || header.dim[1..4].contains(&0) {
        let shown: Vec<String> = header.dim[1..=rank.clamp(1, 7)]
            .iter()
            .map(ToString::to_string)
            .collect();
        return Err(ImagingError::NotThreeDimensional {
            path: path.to_owned(),
            dims: format!("{rank}D {}", shown.join("×")),
        });
    }
    let dims = [
        header.dim[1] as usize,
        header.dim[2] as usize,
        header.dim[3] as usize,
    ];
    let linear = if header.sform_code > 0 {
        [header.srow_x, header.srow_y, header.srow_z].map(|row| row.map(f64::from))
    } else if header.qform_code > 0 {
        qform_affine(header)
    } else {
        let mut affine = [[0.0; 4]; 3];
        for (axis, row) in affine.iter_mut().enumerate() {
            row[axis] = f64::from(header.pixdim[axis + 1]);
        }
        affine
    };
    let mut spacing = [0.0; 3];
    let mut direction = [[0.0; 3]; 3];
    for c in 0..3 {
        let length = (0..3).map(|r| linear[r][c].powi(2)).sum::<f64>().sqrt();
        if !(length.is_finite() && length > 0.0) {
            return Err(ImagingError::InvalidHeader {
                path: path.to_owned(),
                field: ["pixdim[1]", "pixdim[2]", "pixdim[3]"][c],
                value: format!("{length} (voxel axis {c} has no length)"),
            });
        }
        spacing[c] = length;
        for r in 0..3 {
            direction[r][c] = linear[r][c] / length;
        }
    }
    let origin = [linear[0][3], linear[1][3], linear[2][3]];
    if origin.iter().any(|v| !v.is_finite()) {
        return Err(ImagingError::InvalidHeader {
            path: path.to_owned(),
            field: "srow/qoffset",
            value: format!("{origin:?}"),
        });
    }
    Ok(Geometry {
        dims,
        spacing,
        origin,
        direction,
    })
}

/// The qform's 3×4 affine from the quaternion, `pixdim` and `qfac`
/// (`pixdim[0]`, where anything but -1 means +1), per the NIfTI-1 standard.
fn qform_affine(header: &NiftiHeader) -> [[f64; 4]; 3] {
    let [b, c, d] = [header.quatern_b, header.quatern_c, header.quatern_d].map(f64::from);
    let a = (1.0 - (b * b + c * c + d * d)).max(0.0).sqrt();
    let rotation = [
        [
            a * a + b * b - c * c - d * d,
            2.0 * (b * c - a * d),
            2.0 * (b * d + a * c),
        ],
        [
            2.0 * (b * c + a * d),
            a * a + c * c - b * b - d * d,
            2.0 * (c * d - a * b),
        ],
        [
            2.0 * (b * d - a * c),
            2.0 * (c * d + a * b),
            a * a + d * d - c * c - b * b,
        ],
    ];
    let qfac = if header.pixdim[0] == -1.0 { -1.0 } else { 1.0 };
    let scale = [
        f64::from(header.pixdim[1]),
        f64::from(header.pixdim[2]),
        qfac * f64::from(header.pixdim[3]),
    ];
    let offset = [header.quatern_x, header.quatern_y, header.quatern_z].map(f64::from);
    let mut affine = [[0.0; 4]; 3];
    for r in 0..3 {
        for col in 0..3 {
            affine[r][col] = rotation[r][col] * scale[col];
        }
        affine[r][3] = offset[r];
    }
    affine
}

/// The qform quaternion `(b, c, d)` and `qfac` of a direction matrix, per the
/// NIfTI-1 standard: a left-handed matrix gets `qfac = -1` and its third
/// column negated, and the quaternion is taken with a non-negative `a`.
fn quaternion_of(direction: &[[f64; 3]; 3]) -> ([f64; 3], f64) {
    let det = direction[0][0]
        * (direction[1][1] * direction[2][2] - direction[1][2] * direction[2][1])
        - direction[0][1] * (direction[1][0] * direction[2][2] - direction[1][2] * direction[2][0])
        + direction[0][2] * (direction[1][0] * direction[2][1] - direction[1][1] * direction[2][0]);
    let qfac = if det < 0.0 { -1.0 } else { 1.0 };
    let r = |row: usize, col: usize| {
        if col == 2 {
            qfac * direction[row][col]
        } else {
            direction[row][col]
        }
    };
    let trace = r(0, 0) + r(1, 1) + r(2, 2);
    let (a, b, c, d);
    if trace > 0.0 {
        let s = 2.0 * (trace + 1.0).sqrt();
        a = 0.25 * s;
        b = (r(2, 1) - r(1, 2)) / s;
        c = (r(0, 2) - r(2, 0)) / s;
        d = (r(1, 0) - r(0, 1)) / s;
    } else if r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2) {
        let s = 2.0 * (1.0 + r(0, 0) - r(1, 1) - r(2, 2)).sqrt();
        a = (r(2, 1) - r(1, 2)) / s;
        b = 0.25 * s;
        c = (r(0, 1) + r(1, 0)) / s;
        d = (r(0, 2) + r(2, 0)) / s;
    } else if r(1, 1) > r(2, 2) {
        let s = 2.0 * (1.0 + r(1, 1) - r(0, 0) - r(2, 2)).sqrt();
        a = (r(0, 2) - r(2, 0)) / s;
        b = (r(0, 1) + r(1, 0)) / s;
        c = 0.25 * s;
        d = (r(1, 2) + r(2, 1)) / s;
    } else {
        let s = 2.0 * (1.0 + r(2, 2) - r(0, 0) - r(1, 1)).sqrt();
        a = (r(1, 0) - r(0, 1)) / s;
        b = (r(0, 2) + r(2, 0)) / s;
        c = (r(1, 2) + r(2, 1)) / s;
        d = 0.25 * s;
    }
    let sign = if a < 0.0 { -1.0 } else { 1.0 };
    ([sign * b, sign * c, sign * d], qfac)
}

/// Writes a 3D volume indexed `[i, j, k]` as NIfTI-1 (gzip-compressed when
/// the name ends in `.gz`), with both sform and qform describing `geometry`
/// and spatial units of mm. The file appears complete or not at all: it is
/// written under a temporary name and renamed.
pub fn write_volume<T>(
    path: &Path,
    data: &Array3<T>,
    geometry: &Geometry,
) -> Result<(), ImagingError>
where
    T: DataElement + bytemuck::Pod,
{
    let name = path.to_string_lossy();
    if !(name.ends_with(".nii") || name.ends_with(".nii.gz")) {
        return Err(ImagingError::NotNifti {
            path: path.to_owned(),
            reason: "a volume is written as .nii or .nii.gz".to_owned(),
        });
    }
    let shape = data.shape();
    if shape != geometry.dims {
        return Err(ImagingError::InvalidHeader {
            path: path.to_owned(),
            field: "dim",
            value: format!(
                "array shape {shape:?} differs from geometry {:?}",
                geometry.dims
            ),
        });
    }
    let mut header = NiftiHeader {
        xyzt_units: 2, // NIFTI_UNITS_MM
        sform_code: 1, // NIFTI_XFORM_SCANNER_ANAT
        qform_code: 1,
        ..NiftiHeader::default()
    };
    let affine = geometry.affine();
    header.srow_x = affine[0].map(|v| v as f32);
    header.srow_y = affine[1].map(|v| v as f32);
    header.srow_z = affine[2].map(|v| v as f32);
    let ([b, c, d], qfac) = quaternion_of(&geometry.direction);
    header.quatern_b = b as f32;
    header.quatern_c = c as f32;
    header.quatern_d = d as f32;
    header.quatern_x = geometry.origin[0] as f32;
    header.quatern_y = geometry.origin[1] as f32;
    header.quatern_z = geometry.origin[2] as f32;
    header.pixdim = [
        qfac as f32,
        geometry.spacing[0] as f32,
        geometry.spacing[1] as f32,
        geometry.spacing[2] as f32,
        1.0,
        1.0,
        1.0,
        1.0,
    ];
    let partial = partial_path(path);
    let written = WriterOptions::new(&partial)
        .reference_header(&header)
        .write_nifti(data)
        .map_err(|source| ImagingError::Nifti {
            path: path.to_owned(),
            source,
        })
        .and_then(|()| {
            fs::rename(&partial, path).map_err(|source| ImagingError::Io {
                path: path.to_owned(),
                source,
            })
        });
    if written.is_err() {
        let _ = fs::remove_file(&partial);
    }
    written
}

/// `dir/name.nii.gz` → `dir/.partial-name.nii.gz`: same directory, so the
/// rename is atomic, and the same extension, which the nifti writer keys its
/// compression and output name on.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".partial-{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oblique_grid() -> Geometry {
        let (s, c) = (0.3_f64.sin(), 0.3_f64.cos());
        Geometry {
            dims: [5, 4, 3],
            spacing: [0.8, 0.8, 3.0],
            origin: [10.0, -20.5, 33.25],
            direction: [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, -1.0]],
        }
    }

    #[test]
    fn written_volume_reads_back_with_its_geometry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii.gz");
        let grid = oblique_grid();
        let data = Array3::from_shape_fn((5, 4, 3), |(i, j, k)| (i * 100 + j * 10 + k) as i16);
        write_volume(&path, &data, &grid).unwrap();
        let header = read_header(&path).unwrap();
        assert!(
            header
                .geometry
                .mismatches(&grid, Default::default())
                .is_empty(),
            "{:?}",
            header.geometry
        );
        assert_eq!(header.data_type, NiftiType::Int16);
        assert_eq!(header.sha256.len(), 64);
        assert!(!dir.path().join(".partial-v.nii.gz").exists());
    }

    #[test]
    fn qform_alone_gives_the_same_grid_as_sform() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii");
        let grid = oblique_grid();
        write_volume(&path, &Array3::<u8>::zeros((5, 4, 3)), &grid).unwrap();
        let mut header = read_header(&path).unwrap().raw;
        header.sform_code = 0;
        let from_qform = geometry_from_header(&path, &header).unwrap();
        assert!(
            from_qform.mismatches(&grid, Default::default()).is_empty(),
            "{from_qform:?}"
        );
    }

    #[test]
    fn truncated_gzip_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii.gz");
        write_volume(&path, &Array3::<i16>::zeros((5, 4, 3)), &oblique_grid()).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_header(&path).unwrap_err();
        assert!(matches!(err, ImagingError::Truncated { .. }), "{err}");
    }

    #[test]
    fn missing_voxels_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii");
        write_volume(&path, &Array3::<i16>::zeros((5, 4, 3)), &oblique_grid()).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let err = read_header(&path).unwrap_err().to_string();
        assert!(err.contains("120 bytes of voxel data expected"), "{err}");
    }

    #[test]
    fn non_nifti_and_nifti2_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.nii");
        fs::write(&text, vec![b'x'; 400]).unwrap();
        assert!(matches!(
            read_header(&text),
            Err(ImagingError::NotNifti { .. })
        ));
        let v2 = dir.path().join("v2.nii");
        let mut bytes = vec![0u8; 600];
        bytes[..4].copy_from_slice(&540i32.to_le_bytes());
        fs::write(&v2, bytes).unwrap();
        assert!(matches!(read_header(&v2), Err(ImagingError::Nifti2 { .. })));
    }

    #[test]
    fn a_damaged_rank_or_voxel_offset_is_refused_with_its_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii");
        write_volume(&path, &Array3::<i16>::zeros((5, 4, 3)), &oblique_grid()).unwrap();
        let valid = fs::read(&path).unwrap();
        // dim[0] (byte 40) of 1: a rank below 3.
        let mut bytes = valid.clone();
        bytes[40..42].copy_from_slice(&1i16.to_le_bytes());
        fs::write(&path, &bytes).unwrap();
        let err = read_header(&path).unwrap_err();
        assert!(
            matches!(err, ImagingError::NotThreeDimensional { .. }),
            "{err}"
        );
        // vox_offset (byte 108) NaN or far beyond any file.
        for offset in [f32::NAN, f32::INFINITY, 1e30] {
            let mut bytes = valid.clone();
            bytes[108..112].copy_from_slice(&offset.to_le_bytes());
            fs::write(&path, &bytes).unwrap();
            let err = read_header(&path).unwrap_err();
            assert!(
                matches!(
                    err,
                    ImagingError::InvalidHeader {
                        field: "vox_offset",
                        ..
                    }
                ),
                "{offset}: {err}"
            );
        }
    }

    #[test]
    fn four_dimensional_data_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii");
        write_volume(&path, &Array3::<u8>::zeros((5, 4, 3)), &oblique_grid()).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        // dim[0] at byte 40, dim[4] at byte 48 (little-endian i16).
        bytes[40..42].copy_from_slice(&4i16.to_le_bytes());
        bytes[48..50].copy_from_slice(&2i16.to_le_bytes());
        fs::write(&path, bytes).unwrap();
        let err = read_header(&path).unwrap_err().to_string();
        assert!(
            err.contains("expected a 3D volume, the header says 4D 5×4×3×2"),
            "{err}"
        );
    }
}
