#include "gen/peruvian_names.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace centinela::gen {
namespace {

std::vector<std::string> Split(const char* words) { return absl::StrSplit(words, ' ', absl::SkipEmpty()); }

// Cumulative rank weights for a table of `size` names.
std::vector<double> Cumulative(size_t size) {
  std::vector<double> c(size);
  double sum = 0;
  for (size_t r = 0; r < size; ++r) c[r] = sum += 1.0 / double(r + 10);
  return c;
}

}  // namespace

const std::vector<std::string>& PeruvianSurnames() {
  static const auto* v = new std::vector<std::string>(
      Split("QUISPE FLORES SANCHEZ RODRIGUEZ GARCIA HUAMAN MAMANI RAMOS CHAVEZ DIAZ TORRES MENDOZA LOPEZ VASQUEZ ROJAS "
            "GONZALES CASTILLO PEREZ VARGAS CONDORI RAMIREZ GUTIERREZ FERNANDEZ ESPINOZA CRUZ RUIZ MARTINEZ HERNANDEZ "
            "SALAZAR SILVA TICONA APAZA MORALES JIMENEZ ROMERO REYES CASTRO AGUILAR MEDINA HUANCA CHOQUE SOTO ALVAREZ "
            "CALDERON RIOS PAREDES VEGA CORDOVA HERRERA MORENO LEON VILLANUEVA CARDENAS ORTIZ NUNEZ CAMPOS DELGADO "
            "GOMEZ NAVARRO CABRERA GUERRERO ZAPATA MUNOZ SUAREZ ARIAS PALOMINO MEZA VALDIVIA BENITES ALVARADO LUNA "
            "CARRASCO VALENCIA PACHECO SALAS AYALA MAYTA CUSI POMA INGA HUILLCA CCAMA PARI YUPANQUI COAQUIRA CAHUANA "
            "CCAHUANA YAURI TUPAC ANCCO HUARCAYA SULCA TAIPE CJUNO TACURI LAYME YUCRA QUISPECONDORI HUACHACA HUAYTA "
            "LLANOS TELLO INFANTE PERALTA AVILA MONTES SOLIS OCHOA ESCOBAR OLIVERA CUEVA ZEGARRA BUSTAMANTE LAZO ORE "
            "MOLINA GUZMAN MARQUEZ MENDEZ ACOSTA ROMAN SALINAS PEÑA FIGUEROA CARHUAMACA CHUQUIMIA HUAYHUA QUINTANILLA "
            "MALLMA CURO ALANIA ARANDA ATAO BACA BALDEON BERROCAL CAMARGO CANCHARI CHUMPITAZ CONTRERAS CORNEJO "
            "CUADROS DAVILA ESTRADA GALLEGOS GAMARRA GUEVARA HINOSTROZA HUAMANI HUAROC JAUREGUI "
            "LAURA LIMACHE LOAYZA MACHACA MANRIQUE MEJIA MIRANDA MONTOYA NINA NORIEGA OBREGON OSORIO PALACIOS "
            "PANDURO PILCO PINEDO PIZARRO PONCE PORTOCARRERO PRADO QUIROZ RIVERA ROCA ROSALES SAAVEDRA SALDAÑA SEGURA "
            "SIERRA SOLANO TAPIA TINOCO TRUJILLO URBINA URIBE VALDEZ VALVERDE VELASQUEZ VELIZ VILCA VILLEGAS YAÑEZ "
            "ZAVALETA ZUÑIGA ACHO ALCA CCORI CHALCO CHILLITUPA HANCCO HUACCHA LUQUE MAQUERA NINAQUISPE PUMA QUILLA "
            "SONCCO SUCLLA TITO TTITO USCA VILLCA YANA ZAPANA"));
  return *v;
}

const std::vector<std::string>& PeruvianGivenNames() {
  static const auto* v = new std::vector<std::string>(
      Split("MARIA JOSE JUAN LUIS CARLOS ROSA JORGE CARMEN ANA VICTOR LUZ MIGUEL JULIO CESAR PEDRO MANUEL ELENA "
            "JESUS RAUL RICARDO FERNANDO ALBERTO WALTER EDGAR JAVIER ROBERTO OSCAR HUGO JUANA TERESA GLORIA SILVIA "
            "PATRICIA MILAGROS YOLANDA NORMA MARLENY NELLY FLOR SONIA GLADYS LUCIA VERONICA KARINA ROXANA MARIBEL "
            "YESENIA KATHERINE FIORELLA ROCIO JANET GIOVANNA SANDRA DINA EDITH ANGEL ALFREDO ANTONIO MARTIN FELIX "
            "NESTOR WILLY GONZALO HERNAN MARCO IVAN WILBER ELMER PERCY SEGUNDO TEODORO ALEJANDRO DANIEL DIEGO RENZO "
            "GUSTAVO EDUARDO SANTOS FRANCISCO ISABEL BEATRIZ MERCEDES ESTHER DORIS BERTHA ELIZABETH VILMA GRACIELA "
            "JULIA ALICIA MARTHA PILAR SUSANA ROSARIO CONSUELO NANCY MARGARITA FELICITAS JOSEFINA EMILIA NATALY "
            "KELLY JHON JHONATAN BRAYAN KEVIN JEAN ALEXANDER ANDERSON YOVANA YENY LIZ MARISOL DELIA FAUSTINO "
            "EUSEBIO APOLINAR CIRILO FORTUNATO GREGORIO HILARIO JACINTO LEONCIO MAXIMO NICANOR PASCUAL PRUDENCIO "
            "SATURNINO TEOFILO VALENTIN ZENON ABEL ADRIAN AGUSTIN ARMANDO CRISTIAN ERICK FREDDY GERMAN HECTOR "
            "ISAAC JAIME LEONARDO MARIO NOE OMAR PABLO RAFAEL RUBEN SAMUEL TOMAS ULISES WILFREDO"));
  return *v;
}

size_t PickByRank(size_t size, uint64_t draw) {
  static const auto* surnames = new std::vector<double>(Cumulative(PeruvianSurnames().size()));
  static const auto* given = new std::vector<double>(Cumulative(PeruvianGivenNames().size()));
  const std::vector<double>* c = size == surnames->size() ? surnames : size == given->size() ? given : nullptr;
  std::vector<double> local;
  if (c == nullptr) c = &(local = Cumulative(size));
  const double x = double(draw >> 11) / double(uint64_t(1) << 53) * c->back();
  return size_t(
      std::min<std::ptrdiff_t>(std::lower_bound(c->begin(), c->end(), x) - c->begin(), std::ptrdiff_t(size) - 1));
}

std::string PeruvianPersonName(uint64_t d1, uint64_t d2, uint64_t d3, uint64_t d4) {
  const auto& s = PeruvianSurnames();
  const auto& g = PeruvianGivenNames();
  std::string name =
      absl::StrCat(s[PickByRank(s.size(), d1)], " ", s[PickByRank(s.size(), d2)], ", ", g[PickByRank(g.size(), d3)]);
  if (d4 % 3 == 0) absl::StrAppend(&name, " ", g[PickByRank(g.size(), d4 / 3)]);
  return name;
}

}  // namespace centinela::gen
