"""Regenerates tests/data/pyradiomics_settings.json.

Runs PyRadiomics on the shared reference cases under parameter sets that the
shared reference outputs do not cover (intensity settings, ROI settings, force2D,
B-spline and nearest-neighbour resampling, derived image types). Run it inside
the PyRadiomics environment built by ../shared/tools (see benches/compare.sh):

    RADCOHORT_REFERENCE=../shared/reference python tests/data/generate_pyradiomics_settings.py
"""
import json, sys, logging, radiomics, SimpleITK, pywt, numpy, scipy, skimage, trimesh
from radiomics import featureextractor
radiomics.setVerbosity(logging.ERROR)
import os
ref = os.path.join(os.environ.get('RADCOHORT_REFERENCE', '../shared/reference'), 'pyradiomics')
configs = {
 "intensity_settings": """
imageType: {Original: {}}
featureClass: {firstorder: , glcm: , glrlm: , glszm: , gldm: , ngtdm: }
setting: {normalize: true, normalizeScale: 100, removeOutliers: 3, binWidth: 5, voxelArrayShift: 300,
          distances: [1, 2], symmetricalGLCM: false, gldm_a: 1, weightingNorm: euclidean, label: 1}
""",
 "roi_settings": """
imageType: {Original: {}}
featureClass: {firstorder: , shape: , glcm: , glrlm: , glszm: , gldm: , ngtdm: }
setting: {resegmentRange: [-2, 2], resegmentMode: sigma, binCount: 16, preCrop: true, padDistance: 3, label: 1,
          minimumROIDimensions: 3, minimumROISize: 10}
""",
 "force2d": """
imageType: {Original: {}}
featureClass: {firstorder: , glcm: , glrlm: , glszm: , gldm: , ngtdm: }
setting: {force2D: true, force2Ddimension: 0, binWidth: 25, label: 1}
""",
 "bspline": """
imageType: {Original: {}}
featureClass: {firstorder: , shape: , glcm: , glszm: }
setting: {resampledPixelSpacing: [1.0, 1.0, 0], interpolator: sitkBSpline, binWidth: 25, label: 1}
""",
 "nearest": """
imageType: {Original: {}}
featureClass: {firstorder: , shape: , glcm: }
setting: {resampledPixelSpacing: [3, 3, 3], interpolator: sitkNearestNeighbor, binCount: 24, label: 1}
""",
 "image_types": """
imageType:
  Square: {}
  SquareRoot: {}
  Logarithm: {}
  Exponential: {}
  Gradient: {}
  LBP2D: {lbp2DRadius: 1, lbp2DSamples: 8, lbp2DMethod: uniform}
  Wavelet: {wavelet: haar, level: 2}
  LoG: {sigma: [1, 2.5]}
featureClass: {firstorder: , glcm: [Contrast, JointEntropy, Idmn], glszm: [ZoneEntropy]}
setting: {binWidth: 10, label: 1}
""",
}
out = {"provenance": {"pyradiomics": radiomics.__version__, "SimpleITK": SimpleITK.__version__, "pywavelets": pywt.__version__,
       "numpy": numpy.__version__, "scikit-image": skimage.__version__,
       "note": "PyRadiomics run on ../shared/reference/pyradiomics/cases with the parameter files below; diagnostics left out"},
       "params": {}, "values": {}}
import tempfile, os
for name, text in configs.items():
    out["params"][name] = text.strip() + "\n"
    path = tempfile.mktemp(suffix='.yaml'); open(path,'w').write(text)
    ext = featureextractor.RadiomicsFeatureExtractor(path)
    for case in ["brain1", "breast1"]:
        r = ext.execute(f"{ref}/cases/{case}_image.nii.gz", f"{ref}/cases/{case}_label.nii.gz")
        out["values"][f"{case}.{name}"] = {k: float(v) for k, v in r.items() if not k.startswith("diagnostics")}
    print(name, {k: len(v) for k, v in out["values"].items() if k.endswith(name)}, file=sys.stderr)
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pyradiomics_settings.json'), 'w'), indent=1, sort_keys=True)
