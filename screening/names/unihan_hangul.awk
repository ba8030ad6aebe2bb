# Turns Unihan_Readings.txt lines "U+91D1<TAB>kHangul<TAB>금:0E 김:0N" into
# C++ table rows {0x91D1, "금:0E 김:0N"}, for han_readings.cc. Run at build
# time on /usr/share/unicode/Unihan_Readings.txt.bz2 (Debian unicode-data).
BEGIN { FS = "\t" }
$1 ~ /^U\+[0-9A-F]+$/ && $2 == "kHangul" {
  code = substr($1, 3)
  gsub(/"/, "", $3)
  printf "{0x%s, \"%s\"},\n", code, $3
}
