# Pesan validasi isian (src/validate). Bahasa Indonesia adalah bahasa utama.
# Setiap id juga ada di locales/en/validate.ftl dan di validate::MESSAGE_IDS.
# Argumen sudah berupa teks jadi; tanggal ditulis seperti 17-08-1990.
# Galat (invalid-*) meminta ketik ulang dengan contoh; peringatan (warn-*) meminta konfirmasi.

## Umum

invalid-empty = Mohon maaf, jawaban Bapak/Ibu belum terbaca. Mohon ketik ulang dengan huruf atau angka, sesuai contoh pada pertanyaan.

## NIK

invalid-nik-chars = Mohon maaf, NIK hanya berisi 16 angka. Mohon ketik NIK saja, tanpa huruf atau kata lain. Contoh: *6409011708900001*.
invalid-nik-letter-o = Mohon maaf, NIK hanya berisi angka 0–9 (huruf O bukan angka 0). Contoh: *6409011708900001*.
invalid-nik-length = Mohon maaf, NIK harus 16 digit angka; yang Bapak/Ibu ketik { $digits } digit. Contoh: *6409011708900001*.
invalid-nik-repeated = Mohon maaf, NIK tidak berisi satu angka yang sama semuanya. Mohon ketik NIK sesuai KTP-el atau KK, contoh: *6409011708900001*.
invalid-nik-province = Mohon maaf, NIK diawali kode provinsi, dan { $code } bukan kode provinsi. Mohon periksa kembali NIK pada KTP-el atau KK, contoh: *6409011708900001*.
invalid-nik-regency = Mohon maaf, angka ke-3 dan ke-4 NIK (kode kabupaten/kota) tidak mungkin 00. Mohon periksa kembali, contoh: *6409011708900001*.
invalid-nik-district = Mohon maaf, angka ke-5 dan ke-6 NIK (kode kecamatan) tidak mungkin 00. Mohon periksa kembali, contoh: *6409011708900001*.
invalid-nik-date = Mohon maaf, angka ke-7 sampai ke-12 NIK ({ $part }) adalah tanggal lahir, tetapi tanggal tersebut tidak ada. Mohon periksa kembali, contoh: *6409011708900001*.
invalid-nik-serial = Mohon maaf, empat angka terakhir NIK tidak mungkin 0000. Mohon periksa kembali, contoh: *6409011708900001*.
warn-nik-region-unknown = Kode wilayah pada NIK tersebut ({ $code }) tidak ada dalam daftar wilayah kami. Ketik *ya* bila sudah sesuai KTP-el, atau *ubah*.
warn-nik-birth-date = NIK tersebut menunjukkan tanggal lahir { $nik_date }, sedangkan Bapak/Ibu menulis { $stated_date }. Ketik *ya* bila sudah benar, atau *ubah*.
warn-nik-sex =
    NIK tersebut menunjukkan jenis kelamin { $nik_sex ->
        [female] perempuan
       *[other] laki-laki
    }, sedangkan Bapak/Ibu memilih { $stated_sex ->
        [female] perempuan
       *[other] laki-laki
    }. Ketik *ya* bila sudah benar, atau *ubah*.
warn-nik-same-as-kk = NIK yang Bapak/Ibu ketik sama dengan nomor KK. NIK tertera di KTP-el, nomor KK di bagian atas Kartu Keluarga. Ketik *ya* bila sudah benar, atau *ubah*.

## Nomor KK

invalid-kk-chars = Mohon maaf, nomor KK hanya berisi 16 angka. Mohon ketik nomor KK saja, tanpa huruf atau kata lain. Contoh: *6409012005150003*.
invalid-kk-letter-o = Mohon maaf, nomor KK hanya berisi angka 0–9 (huruf O bukan angka 0). Contoh: *6409012005150003*.
invalid-kk-length = Mohon maaf, nomor KK harus 16 digit angka; yang Bapak/Ibu ketik { $digits } digit. Contoh: *6409012005150003*.
invalid-kk-repeated = Mohon maaf, nomor KK tidak berisi satu angka yang sama semuanya. Mohon ketik nomor di bagian atas Kartu Keluarga, contoh: *6409012005150003*.
invalid-kk-province = Mohon maaf, nomor KK diawali kode provinsi, dan { $code } bukan kode provinsi. Mohon periksa kembali, contoh: *6409012005150003*.
invalid-kk-region = Mohon maaf, kode kabupaten/kota dan kecamatan pada nomor KK (angka ke-3 sampai ke-6) tidak mungkin 00. Mohon periksa kembali, contoh: *6409012005150003*.
warn-kk-date = Angka ke-7 sampai ke-12 nomor KK ({ $part }) biasanya berupa tanggal, tetapi bukan tanggal yang ada. Ketik *ya* bila sudah sesuai Kartu Keluarga, atau *ubah*.
warn-kk-serial = Nomor KK biasanya tidak diakhiri 0000. Ketik *ya* bila sudah sesuai Kartu Keluarga, atau *ubah*.
warn-kk-same-as-nik = Nomor KK yang Bapak/Ibu ketik sama dengan NIK. Nomor KK tertera di bagian atas Kartu Keluarga. Ketik *ya* bila sudah benar, atau *ubah*.

## NPWP, NIB, KBLI

invalid-npwp-chars = Mohon maaf, NPWP hanya berisi angka, titik, dan tanda hubung. Contoh: *01.312.166.0-091.000*, atau NIK bagi orang pribadi.
invalid-npwp-length = Mohon maaf, NPWP berisi 15 atau 16 digit angka; yang Bapak/Ibu ketik { $digits } digit. Contoh: *01.312.166.0-091.000*, atau NIK bagi orang pribadi.
invalid-npwp-check = Mohon maaf, NPWP tersebut tidak valid; mungkin ada angka yang salah ketik. Mohon periksa kembali kartu NPWP, contoh: *01.312.166.0-091.000*.
invalid-nib-chars = Mohon maaf, NIB hanya berisi angka. Contoh: *1234567890123*.
invalid-nib-length = Mohon maaf, NIB harus 13 digit angka; yang Bapak/Ibu ketik { $digits } digit. Contoh: *1234567890123*.
invalid-kbli-chars = Mohon maaf, kode KBLI hanya berisi angka. Contoh: *47111*.
invalid-kbli-length = Mohon maaf, kode KBLI terdiri atas 5 angka; yang Bapak/Ibu ketik { $digits } angka. Contoh: *47111*.

## Nomor telepon

invalid-phone-chars = Mohon maaf, nomor telepon hanya berisi angka dan boleh diawali tanda +. Mohon ketik nomornya saja, tanpa kata lain. Contoh: *0812-3456-7890*.
invalid-phone-letter-o = Mohon maaf, nomor telepon hanya berisi angka (huruf O bukan angka 0). Contoh: *0812-3456-7890*.
invalid-phone-short = Mohon maaf, nomor telepon tersebut terlalu pendek. Mohon ketik nomor lengkap, contoh: *0812-3456-7890*.
invalid-phone-long = Mohon maaf, nomor telepon tersebut terlalu panjang. Mohon periksa kembali, contoh: *0812-3456-7890*.
invalid-phone-emergency = Mohon maaf, { $number } adalah nomor layanan, bukan nomor pribadi. Bila keadaan darurat, silakan telepon *112*. Mohon ketik nomor HP Bapak/Ibu, contoh: *0812-3456-7890*.
invalid-phone-not-mobile = Mohon maaf, nomor tersebut bukan nomor HP yang dapat kami hubungi. Mohon ketik nomor HP, contoh: *0812-3456-7890*.
warn-phone-foreign = Nomor { $number } adalah nomor luar negeri. Ketik *ya* bila sudah benar, atau *ubah*. Nomor Indonesia ditulis seperti *0812-3456-7890*.

## Tanggal

invalid-date-format = Mohon maaf, tanggal tersebut belum kami pahami. Mohon ketik tanggal-bulan-tahun, misalnya *17-08-1990* atau *17 Agustus 1990*.
invalid-date-no-such-day = Mohon maaf, tanggal { $date } tidak ada. Mohon ketik tanggal-bulan-tahun, misalnya *17-08-1990*.
invalid-date-month = Mohon maaf, bulan { $month } tidak ada; bulan ditulis 1 sampai 12, sesudah tanggal. Mohon ketik tanggal-bulan-tahun, misalnya *17-08-1990*.
invalid-date-year = Mohon maaf, tahun { $year } tidak dapat kami terima. Mohon ketik tahun dengan 4 angka, misalnya *17-08-1990*.
invalid-date-need-year = Mohon maaf, tanggal { $date } tahun ini belum tiba. Mohon ketik lengkap dengan tahunnya, misalnya *17-08-1990*.
invalid-date-need-day = Mohon ketik tanggalnya juga (tanggal-bulan-tahun), misalnya *17-08-1990*.
invalid-date-future = Mohon maaf, tanggal tersebut belum tiba. Mohon ketik tanggal hari ini atau sebelumnya, misalnya *17-08-1990*.
invalid-date-past = Mohon maaf, tanggal tersebut sudah lewat. Mohon ketik tanggal hari ini atau sesudahnya, misalnya *besok*.
invalid-date-too-early = Mohon maaf, tanggal paling awal yang dapat diterima adalah { $min }. Mohon ketik tanggal-bulan-tahun, misalnya *{ $min }*.
invalid-date-too-late = Mohon maaf, tanggal paling akhir yang dapat diterima adalah { $max }. Mohon ketik tanggal-bulan-tahun, misalnya *{ $max }*.
invalid-date-too-old = Mohon maaf, tanggal tersebut lebih dari { $years } tahun yang lalu. Mohon periksa tahunnya, misalnya *17-08-1990*.
invalid-date-too-far = Mohon maaf, tanggal paling lambat { $days } hari dari hari ini, yaitu { $last }. Mohon pilih tanggal yang lebih dekat, misalnya *besok*.

## Kode pos

invalid-postal-chars = Mohon maaf, kode pos hanya berisi angka. Contoh: *76144*.
invalid-postal-length = Mohon maaf, kode pos terdiri atas 5 angka; yang Bapak/Ibu ketik { $digits } angka. Contoh: *76144*.
invalid-postal-first-digit = Mohon maaf, kode pos tidak diawali angka 0. Contoh: *76144*.
warn-postal-region = Kode pos { $code } berada di luar wilayah kami (kode pos di sini diawali angka { $expected }). Ketik *ya* bila sudah benar, atau *ubah*.

## RT/RW

invalid-rtrw-format = Mohon maaf, RT/RW belum kami pahami. Mohon ketik nomor RT lalu RW, misalnya *003/005* atau *RT 3 RW 5*.
invalid-rtrw-number = Mohon maaf, nomor { $number } tidak berlaku; nomor RT dan RW antara 1 dan 999. Contoh: *003/005*.
invalid-rtrw-need-rw = Mohon maaf, nomor RW belum ada. Mohon ketik RT beserta RW, misalnya *{ $rt }/005*.
invalid-rtrw-need-rt = Mohon maaf, nomor RT belum ada. Mohon ketik RT beserta RW, misalnya *003/005*.

## Nama

invalid-name-chars = Mohon maaf, nama hanya berisi huruf, spasi, titik, tanda hubung, dan tanda petik ('), diawali huruf. Contoh: *Siti Aminah*.
invalid-name-digits = Mohon maaf, nama tidak boleh berisi angka. Contoh: *Siti Aminah*.
invalid-name-short = Mohon maaf, nama paling sedikit 2 huruf. Contoh: *Siti Aminah*.
invalid-name-long = Mohon maaf, nama paling banyak { $max } karakter. Mohon ketik nama sesuai KTP-el atau KK, contoh: *Siti Aminah*.
warn-name-baby-one-word = Nama anak yang baru sebaiknya paling sedikit dua kata (Permendagri 73/2022), misalnya *Aisyah Putri*. Ketik *ya* bila sudah benar, atau *ubah*.
warn-name-baby-punctuation = Nama anak sebaiknya tanpa tanda baca atau singkatan (Permendagri 73/2022), misalnya *Muhammad Rizki*. Ketik *ya* bila sudah benar, atau *ubah*.
warn-name-baby-long = Nama anak sebaiknya paling banyak { $max } huruf termasuk spasi (Permendagri 73/2022). Ketik *ya* bila sudah benar, atau *ubah*.

## E-mail

invalid-email-at = Mohon maaf, alamat e-mail harus berisi satu tanda @. Contoh: *budi@gmail.com*.
invalid-email-format = Mohon maaf, bagian sebelum tanda @ belum benar; gunakan huruf, angka, titik, atau garis bawah. Contoh: *budi.santoso@gmail.com*.
invalid-email-domain = Mohon maaf, bagian sesudah tanda @ belum benar. Contoh: *budi@gmail.com*.
invalid-email-long = Mohon maaf, alamat e-mail paling panjang { $max } karakter. Contoh: *budi@gmail.com*.
warn-email-typo = Alamat *{ $address }* mungkin salah ketik. Maksud Bapak/Ibu *{ $suggestion }*? Ketik *ya* untuk memakai alamat tersebut, *tidak* bila *{ $address }* sudah benar, atau ketik ulang alamatnya.

## Lokasi

invalid-location-range = Mohon maaf, titik lokasi tersebut tidak terbaca. Silakan kirim lokasi melalui tombol lampiran, atau ketik koordinat, misalnya *-1.26,116.83*.
invalid-location-swapped = Mohon maaf, angka lintang dan bujur tampaknya tertukar. Mohon ketik lintang lebih dulu, misalnya *-1.26,116.83*.
invalid-location-outside = Mohon maaf, titik lokasi tersebut berada di luar Indonesia. Silakan kirim lokasi yang dimaksud, misalnya *-1.26,116.83*.
warn-location-outside-area = Titik lokasi tersebut berada di luar wilayah kabupaten kami. Ketik *ya* bila sudah benar, atau *ubah*.
