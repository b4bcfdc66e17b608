/*
 * An empty ICU common-data package, as ICU's own source/stubdata builds it.
 *
 * Qt links ICU, whose data library (libicudata, 32 MB) holds collation, charset-converter and
 * calendar tables. This app uses none of them: Qt takes locale formats from its own CLDR tables and
 * text shaping from HarfBuzz. With this stub ICU answers "no data" to the few calls that need it
 * and Qt falls back. build.spec uses it in place of libicudata when a C compiler is available;
 * the packaging test starts the real window with it.
 */
#include <stdint.h>

#ifndef ICU_ENTRY
#define ICU_ENTRY icudt73_dat
#endif

typedef struct {
    uint16_t size, reserved;
    uint8_t isBigEndian, charsetFamily, sizeofUChar, reservedByte;
    uint8_t dataFormat[4], formatVersion[4], dataVersion[4];
} DataInfo;

typedef struct {
    uint16_t headerSize;
    uint8_t magic1, magic2;
    DataInfo info;
    char padding[8];
    uint32_t count, reserved;
    struct { uint32_t nameOffset, dataOffset; } toc[1];
} DataHeader;

__attribute__((visibility("default"))) const DataHeader ICU_ENTRY = {
    32, 0xda, 0x27,
    {sizeof(DataInfo), 0, 0 /* little endian */, 0 /* ASCII family */, 2, 0,
     {0x54, 0x6f, 0x43, 0x50} /* "ToCP" */, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0, 0, 0, 0, 0, 0, 0, 0},
    0, 0,
    {{0, 0}},
};
